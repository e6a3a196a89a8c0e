"""Every main page passes axe-core's WCAG 2.1 A and AA rules, fits a 360-pixel screen, and is keyboard-usable."""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, log_in

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# (who, path): who is None for an anonymous visitor, else a demo e-mail address.
PAGES = [
    (None, "/"),
    (None, "/processes"),
    (None, "/processes/buytenwegh"),
    (None, "/login"),
    (None, "/register"),
    (None, "/password/forgot"),
    (None, "/login/link"),
    (None, "/register/resend"),
    (None, "/privacy"),
    (None, "/accessibility"),
    (None, "/bestaat-niet"),
    (None, "/processes/buytenwegh/issues"),
    (None, "/processes/buytenwegh/issues?sort=random&domain=social"),
    (None, "/processes/buytenwegh/priorities"),
    (None, "/issues/1"),
    ("bewoner@example.org", "/processes/buytenwegh/issues"),
    ("bewoner@example.org", "/processes/buytenwegh/issues/new"),
    ("bewoner@example.org", "/issues/2"),
    ("bewoner@example.org", "/issues/1/report"),
    ("wijkregisseur@example.org", "/issues/3"),
    ("wijkregisseur@example.org", "/processes/buytenwegh/priorities"),
    (None, "/issues/1/agendas/1"),
    (None, "/issues/2/agendas/1"),
    (None, "/issues/1/agendas/1/history"),
    (None, "/issues/1/agendas/1/history/diff?from=1&to=3"),
    (None, "/processes/buytenwegh/links"),
    ("wijkregisseur@example.org", "/issues/1/agendas/1"),
    ("wijkregisseur@example.org", "/issues/1/working-group"),
    ("bewoner@example.org", "/issues/3/working-group"),
    ("bewoner@example.org", "/processes/buytenwegh"),
    ("bewoner@example.org", "/account"),
    ("bewoner@example.org", "/account/password"),
    ("partner@example.org", "/account/organisations"),
    ("wijkregisseur@example.org", "/processes/buytenwegh"),
    ("wijkregisseur@example.org", "/processes/buytenwegh/edit"),
    ("wijkregisseur@example.org", "/processes/buytenwegh/phase"),
    ("wijkregisseur@example.org", "/processes/buytenwegh/phase?phase=interim"),
    ("wijkregisseur@example.org", "/processes/buytenwegh/phase?phase=covenants"),  # skipping: the warning
    ("wijkregisseur@example.org", "/processes/new"),
    ("wijkregisseur@example.org", "/admin/memberships"),
    ("wijkregisseur@example.org", "/admin/organisations"),
    ("wijkregisseur@example.org", "/admin/organisations/new"),
    ("admin@example.org", "/admin/users"),
    ("admin@example.org", "/admin/users/1"),
    ("admin@example.org", "/admin/organisations/1"),
    (None, "/council"),
    (None, "/council/positions/1"),
    ("raad@example.org", "/council"),
    ("raad@example.org", "/council/positions/new"),
    ("raad@example.org", "/council/positions/1/edit"),
    (None, "/issues/3"),  # with a hidden reaction's placeholder
    (None, "/moderation/log"),
    (None, "/processes/buytenwegh/balance"),
    (None, "/help/balance"),
    (None, "/covenants/"),
    (None, "/covenants/1"),  # in force
    (None, "/covenants/2"),  # open for signature
    (None, "/covenants/1/versions/1"),
    (None, "/covenants/1/history"),
    (None, "/covenants/1/history/1"),
    (None, "/covenants/verify"),
    (None, "/covenants/verify?fingerprint=abc"),
    ("bestuurder@example.org", "/covenants/2"),
    ("wijkregisseur@example.org", "/covenants/1"),
    ("facilitator@example.org", "/exports"),
    ("wijkregisseur@example.org", "/moderation"),
    ("wijkregisseur@example.org", "/moderation/issue/2"),
    ("wijkregisseur@example.org", "/moderation/issue/2/classification"),
    ("wijkregisseur@example.org", "/processes/buytenwegh/balance"),
    ("wijkregisseur@example.org", "/dashboard"),  # the work overview, and its short versions
    ("facilitator@example.org", "/dashboard"),
    ("wethouder@example.org", "/dashboard"),
    ("wijkregisseur@example.org", "/"),  # with "What is waiting for you"
    ("bewoner@example.org", "/mijn"),  # Mijn pagina: issues, reactions, working groups, notifications
    ("bewoner@example.org", "/mijn/reacties"),
    ("bestuurder@example.org", "/mijn"),  # with points, a partner's working groups
    ("wethouder@example.org", "/mijn"),  # with a covenant waiting for the signing phase
]


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)})))",
        WCAG_TAGS,
    )
    return result


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("who,path", PAGES)
def test_page_meets_wcag_aa_on_desktop_and_phone(live_server, new_page, who, path):
    for width in (1280, 360):
        page = new_page(width=width, height=800)
        if who:
            log_in(page, live_server, who)
        page.goto(live_server + path)
        violations = axe_violations(page)
        assert violations == [], f"{path} as {who or 'visitor'} at {width}px: {violations}"
        assert overflow(page) <= 0, f"{path} scrolls sideways at {width}px"


def test_form_with_errors_meets_wcag_aa(live_server, new_page):
    page = new_page(width=360)
    page.goto(live_server + "/register")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    # the summary takes focus, so screen reader users hear it first
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert axe_violations(page) == []
    assert overflow(page) <= 0


def test_english_pages_meet_wcag_aa(live_server, new_page):
    page = new_page()
    page.goto(live_server + "/")
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    for path in ("/", "/register", "/processes/buytenwegh"):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path


def test_skip_link_is_the_first_stop_and_moves_to_the_content(live_server, new_page):
    page = new_page()
    page.goto(live_server + "/processes/buytenwegh")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator(".utrecht-skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
