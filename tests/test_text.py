"""User Markdown becomes HTML only through app.text.render_markdown, cleaned by an allow-list."""

from html.parser import HTMLParser

import pytest

from app.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, plain_excerpt, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD4=)",
    "[klik](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "![plaatje](https://evil.example/track.png)",
    "<svg onload=alert(1)>",
    "[x](  javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
]


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str):
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("source", ATTACKS)
def test_dangerous_input_is_neutralised(source):
    html = str(render_markdown(source))
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (source, html)
        assert set(attrs) <= set(ALLOWED_ATTRIBUTES.get(tag, [])), (source, html)
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:")), (source, html)


def test_allowed_markdown_is_kept():
    html = str(render_markdown("**vet** en *schuin*\n\n- een\n- twee\n\n[site](https://www.zoetermeer.nl)"))
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html and "<li>een</li>" in html
    assert 'href="https://www.zoetermeer.nl"' in html and 'rel="nofollow noopener ugc"' in html


def test_headings_from_users_do_not_become_page_headings():
    assert "<h1" not in str(render_markdown("# Groot"))


def test_bare_links_become_safe_links():
    html = str(render_markdown("Zie https://www.zoetermeer.nl voor meer"))
    assert '<a href="https://www.zoetermeer.nl" rel="nofollow noopener ugc">' in html


def test_empty_input():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_plain_excerpt_is_plain_text_once():
    """Plain text, not HTML: Jinja escapes it once when shown (no '&amp;amp;')."""
    assert plain_excerpt("**Tom** & *Jerry*") == "Tom & Jerry"
    assert plain_excerpt("woord " * 100, 30).endswith("…") and len(plain_excerpt("woord " * 100, 30)) == 30
    assert plain_excerpt("<b>x</b>") == "<b>x</b>"  # what the person typed, shown as text by the template


def test_templates_show_user_text_escaped(app, client, auth):
    """Plain fields are escaped by Jinja: a name with markup shows as text."""
    auth.login_as("resident", name="<script>alert(1)</script>")
    html = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_documents_keep_their_headings_one_level_down():
    from app.text import render_markdown

    html = str(render_markdown("# Covenant\n\n## Parties\n\n### De Veste\n\n#### Detail", headings=True))
    assert "<h2>Covenant</h2>" in html and "<h3>Parties</h3>" in html and "<h4>De Veste</h4>" in html
    assert "<h4>Detail</h4>" in html and "<h1" not in html and "<h5" not in html
    # still cleaned: raw HTML stays text
    assert "<script" not in str(render_markdown("## <script>alert(1)</script>", headings=True))
    # without the flag, headings stay off (a resident's "# Title" does not outrank the page)
    assert "<h" not in str(render_markdown("## Parties"))
