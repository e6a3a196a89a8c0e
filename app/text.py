"""The one way user text becomes HTML: Markdown, rendered and then cleaned.

Raw HTML in the input is not rendered (it shows as text); the result is cleaned
by bleach against an allow-list, so no script, no event handler, no style and
no `javascript:` or `data:` link gets through even if the renderer had a bug.
Everywhere else user text is escaped by Jinja's autoescaping.
"""

from __future__ import annotations

import html
from functools import lru_cache

import bleach
from bleach.linkifier import Linker
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h2",
        "h3",
        "h4",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # "js-default" is CommonMark with raw HTML off and tables on.
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    # A resident's "# Title" should not outrank the page's own headings.
    md.disable(["heading", "lheading"])
    return md


@lru_cache(maxsize=1)
def _document_renderer() -> MarkdownIt:
    """For agreements with sections (covenants): headings on, one level below the page's own."""
    return MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})


def _html(source: str, headings: bool) -> str:
    if not headings:
        return _renderer().render(source)
    md = _document_renderer()
    tokens = md.parse(source)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"  # "# x" under the page's h1, at most h4
    return md.renderer.render(tokens, md.options, {})


def _nofollow(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow noopener ugc"
    return attrs


@lru_cache(maxsize=1)
def _linker() -> Linker:
    return Linker(callbacks=[_nofollow], skip_tags={"pre", "code"})


def render_markdown(source: str | None, headings: bool = False) -> Markup:
    """Turn a user's Markdown into clean HTML, safe to place in any page or PDF.

    `headings=True` keeps headings (for documents with sections, such as covenants), shifted one level
    down so that `#` becomes h2 and nothing outranks the page's own h1.
    """
    if not source:
        return Markup("")
    html = _html(source, headings)
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return Markup(_linker().linkify(cleaned))  # noqa: S704 - cleaned by bleach just above


def plain_excerpt(source: str | None, length: int = 200) -> str:
    """A short plain-text preview (escaped by the template like any string)."""
    text = html.unescape(bleach.clean(_renderer().render(source or ""), tags=set(), strip=True))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
