"""The one way user text becomes HTML: Markdown, rendered and then cleaned.

Raw HTML in the input is not rendered (it shows as text); the result is cleaned by nh3 (the
Ammonia sanitizer) against an allow-list, so no script, no event handler, no style and no
`javascript:` or `data:` link gets through even if the renderer had a bug. Everywhere else user
text is escaped by Jinja's autoescaping.

Whatever a person types, rendering it costs about as much as ordinary text of the same length:

- a `[` or `![` may look ahead for its `]` only within a budget per paragraph, so thousands of
  unclosed brackets cannot make the link parser quadratic (ordinary text never comes near it);
- blocks nest at most `MAX_NESTING` deep (quotes in quotes, lists in lists);
- a table may not invent many more cells than were typed (a wide header over short rows);
- bare links are found by a pattern that never backtracks (`_BARE_LINK`);
- cleaning is linear (nh3 is written in Rust; bleach's parser cost seconds on dense output).

Texts shown on pages are rendered once, when saved, and stored (see app/rendered.py). Stored HTML
carries `RENDER_RULES`: raise it whenever a change here changes the HTML of existing text, and
`flask text rerender` renders the stored texts again.
"""

from __future__ import annotations

import html
import re
from functools import cache
from types import SimpleNamespace

import nh3
from markdown_it import MarkdownIt
from markdown_it import helpers as md_helpers
from markdown_it.rules_block import table as gfm_table
from markdown_it.token import Token
from markupsafe import Markup

# Raise when the HTML produced for existing texts changes (new tags, other cleaning, other links).
RENDER_RULES = 1

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
LINK_REL = "nofollow noopener ugc"

MAX_NESTING = 20  # quotes and lists inside each other; CommonMark's own preset uses the same
# Steps that `[`/`![` may spend looking for their `]`, per paragraph: this many per character, plus a start.
LABEL_STEPS_PER_CHAR, LABEL_STEPS_BASE = 2, 2000
# Table cells a text may hold: this many, plus one per this many characters.
TABLE_CELLS_BASE, TABLE_CHARS_PER_CELL = 1000, 8
EXCERPT_SOURCE = 4  # plain_excerpt renders at most this many source characters per character shown (and 1000)


# --- bounded link labels -------------------------------------------------------------------------


def _bounded_link_label(state, start: int, disable_nested: bool = False) -> int:
    """markdown-it's parseLinkLabel, within a budget of look-ahead steps per paragraph.

    A `[` without any `]` after it cannot start a link: it is refused at once. Every other look-ahead
    is paid from the paragraph's budget (what a found label did not use is paid back); once the budget
    is spent, further brackets are plain text. Ordinary text spends a small part of it.
    """
    last_close = getattr(state, "_last_close", None)
    if last_close is None:
        last_close = state._last_close = state.src.rfind("]")
        state._label_budget = LABEL_STEPS_BASE + LABEL_STEPS_PER_CHAR * len(state.src)
    if last_close <= start or state._label_budget <= 0:
        return -1
    limit = state.posMax
    allowed = min(limit - start, state._label_budget)
    state._label_budget -= allowed
    state.posMax = start + allowed
    try:
        end = md_helpers.parseLinkLabel(state, start, disable_nested)
    finally:
        state.posMax = limit
    if end >= 0:
        state._label_budget += allowed - (end - start)
    return end


_HELPERS = SimpleNamespace(
    parseLinkLabel=_bounded_link_label,
    parseLinkDestination=md_helpers.parseLinkDestination,
    parseLinkTitle=md_helpers.parseLinkTitle,
)


# --- tables of a size that fits the text ---------------------------------------------------------


def _bounded_table(state, start_line: int, end_line: int, silent: bool) -> bool:
    """GFM tables, with at most `TABLE_CELLS_BASE` cells plus one per `TABLE_CHARS_PER_CELL` characters.

    markdown-it completes short rows with empty cells: a header of 200 columns over rows of one
    letter made 800,000 cells out of 9,000 characters. A table stops at the row where the text's
    cells run out; the rows after it are an ordinary paragraph.
    """
    if silent:  # asked whether a table starts here (it ends a paragraph): the rule as it is
        return gfm_table(state, start_line, end_line, True)
    if not gfm_table(state, start_line, end_line, True):
        return False
    budget = state.env.get("_table_cells")
    if budget is None:
        budget = TABLE_CELLS_BASE + len(state.src) // TABLE_CHARS_PER_CELL
    delimiter = state.src[state.bMarks[start_line + 1] : state.eMarks[start_line + 1]]
    columns = delimiter.count("|") + 1  # at least the table's columns
    rows = budget // columns - 1  # body rows that fit, after the header
    if rows < 0:
        return False
    if not gfm_table(state, start_line, min(end_line, start_line + 2 + rows), False):
        return False
    state.env["_table_cells"] = budget - columns * (state.line - start_line - 1)
    return True


# --- bare links ----------------------------------------------------------------------------------

# Generic top-level domains people type; every two-letter country domain counts too.
_TLDS = frozenset(
    {
        *("com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "aero", "coop"),
        *("museum", "mobi", "jobs", "travel", "tel", "cat", "asia", "post", "xxx", "arpa", "app", "dev"),
        *("online", "site", "shop", "amsterdam", "frl"),
    }
)
# A candidate: an optional scheme, a host, an optional port and path. Possessive quantifiers (no
# backtracking), and no start inside a word, host or address (nor after a hyphen that continues
# one), so each character is read once or twice: linear in the text.
_BARE_LINK = re.compile(
    r"(?<![\w@.])(?<![\w.-]-)(?<!://)(?P<scheme>https?://)?(?P<host>\w[\w-]*+(?:\.[\w-]++)*+)(?P<port>:\d{1,5}+(?![\w:]))?"
    r"(?P<path>[/?#][^\s<>\"`{}|\\^\[\]]*+)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*_"


def _link_end(url: str) -> int:
    """Where a matched link really ends: not on sentence punctuation, nor on an unmatched `)`."""
    end = len(url)
    unmatched = url.count(")") - url.count("(")
    while end:
        char = url[end - 1]
        if char in _TRAILING or (char == ")" and unmatched > 0):
            unmatched -= char == ")"
            end -= 1
            continue
        break
    return end


def _is_link_host(host: str, with_scheme: bool) -> bool:
    if "." not in host:
        return False
    tld = host.rsplit(".", 1)[1].lower()
    if with_scheme:
        return bool(tld)
    return tld in _TLDS or (len(tld) == 2 and tld.isascii() and tld.isalpha())


def _split_links(md: MarkdownIt, token: Token) -> list[Token] | None:
    """The text token cut into text and link tokens, or None when it holds no bare link."""
    text = token.content
    if "." not in text:
        return None
    out: list[Token] = []
    done = 0
    for match in _BARE_LINK.finditer(text):
        if not _is_link_host(match["host"], bool(match["scheme"])):
            continue
        start = match.start()
        url = match.group()[: _link_end(match.group())]
        href = url if match["scheme"] else "http://" + url
        if start > done:
            out.append(_text(text[done:start], token))
        link = Token("link_open", "a", 1, attrs={"href": href}, markup="linkify", info="auto")
        out += [link, _text(url, token), Token("link_close", "a", -1, markup="linkify", info="auto")]
        done = start + len(url)
    if not out:
        return None
    if done < len(text):
        out.append(_text(text[done:], token))
    return out


def _text(content: str, like: Token) -> Token:
    return Token("text", "", 0, content=content, level=like.level)


def _linkify(state) -> None:
    """Bare addresses (https://…, www.…, buytenwegh.nl) become links, except inside links and code."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        changed = False
        for child in block.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                parts = _split_links(state.md, child)
                if parts:
                    children += parts
                    changed = True
                    continue
            children.append(child)
        if changed:
            block.children = children


# --- the renderer --------------------------------------------------------------------------------


@cache
def _renderer(headings: bool = False) -> MarkdownIt:
    # "js-default" is CommonMark with raw HTML off and tables on.
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING})
    md.helpers = _HELPERS
    md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    md.core.ruler.push("bare_links", _linkify)
    if not headings:
        # A resident's "# Title" should not outrank the page's own headings.
        md.disable(["heading", "lheading"])
    return md


def _html(source: str, headings: bool) -> str:
    md = _renderer(headings)
    tokens = md.parse(source)
    if headings:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"  # "# x" under the page's h1, at most h4
    return md.renderer.render(tokens, md.options, {})


_ATTRIBUTES = {tag: set(names) - {"rel"} for tag, names in ALLOWED_ATTRIBUTES.items()}


def clean_html(markup: str) -> str:
    """HTML reduced to the allow-list: unknown tags go (their text stays), links get rel=nofollow."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes=_ATTRIBUTES,
        url_schemes=set(ALLOWED_PROTOCOLS),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str | None, headings: bool = False) -> Markup:
    """Turn a user's Markdown into clean HTML, safe to place in any page or PDF.

    `headings=True` keeps headings (for documents with sections, such as covenants), shifted one level
    down so that `#` becomes h2 and nothing outranks the page's own h1.
    """
    if not source:
        return Markup("")
    return Markup(clean_html(_html(source, headings)))  # noqa: S704 - cleaned by an allow-list just above


def _plain(markup: str, length: int) -> str:
    text = html.unescape(nh3.clean(markup, tags=set(), strip_comments=True))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plain_excerpt(source: str | None, length: int = 200) -> str:
    """A short plain-text preview (escaped by the template like any string).

    Only the start of a long text is rendered (enough for the preview, cut at a line end), so a list
    of previews costs the same whatever the texts' length.
    """
    source = source or ""
    budget = max(EXCERPT_SOURCE * length, 1000)
    if len(source) > budget:
        cut = source.rfind("\n", budget // 2, budget)
        source = source[: cut if cut > 0 else budget]
    return _plain(_html(source, False), length)


def html_excerpt(markup: str | None, length: int = 200) -> str:
    """The same preview from HTML rendered earlier (stored beside the text): no Markdown on view."""
    return _plain(markup or "", length)
