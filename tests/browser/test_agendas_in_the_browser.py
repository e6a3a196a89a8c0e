"""Phase 3 in a real browser on a phone: edit, meet a conflict, choose; every screen passes axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations, overflow

pytestmark = pytest.mark.browser


def set_phase(page, base, phase):
    log_in(page, base, "wijkregisseur@example.org")
    change_phase(page, base, phase)


def change_phase(page, base, phase, reason="Voor de browsertests van deze fase."):
    """The two steps of a change of phase: choose it, then confirm with a reason (and the checkbox when
    the change goes back or skips a phase)."""
    page.goto(base + "/processes/buytenwegh")
    page.select_option("#phase", phase)
    page.click(".manage-box button[type=submit]")
    page.wait_for_load_state()
    page.fill("#reason", reason)
    if page.locator("#confirm").count():
        page.check("#confirm")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()


def test_two_editors_meet_a_conflict_and_choose_on_a_phone(live_server, new_page):
    director = new_page(javascript=False)
    set_phase(director, live_server, "agendas")
    try:
        first = new_page(width=360, height=800)
        second = new_page(width=360, height=800)
        log_in(first, live_server, "partner@example.org")
        log_in(second, live_server, "bestuurder@example.org")
        for page in (first, second):  # both open the same version
            page.goto(live_server + "/issues/4/agendas/1/texts")
            assert axe_violations(page) == [] and overflow(page) <= 0
        first.fill("#summary", "Samenvatting van de eerste")
        first.click("main button[type=submit]")
        first.wait_for_load_state()
        assert "Samenvatting van de eerste" in first.content()
        second.fill("#summary", "Samenvatting van de tweede")
        second.click("main button[type=submit]")
        second.wait_for_load_state()
        assert second.url.endswith("/agendas/1/conflict")
        assert "Samenvatting van de eerste" in second.content() and "Samenvatting van de tweede" in second.content()
        assert axe_violations(second) == [] and overflow(second) <= 0
        second.check("input[value=own]")
        second.fill("textarea[name^=own-]", "Samen geschreven samenvatting")
        second.click("main button[type=submit]")
        second.wait_for_load_state()
        assert "Samen geschreven samenvatting" in second.content()

        first.goto(live_server + "/issues/4/agendas/1/activities/new")
        assert axe_violations(first) == []
        first.fill("#title", "Koffieochtend in de bibliotheek")
        first.fill("#from_q", "2027-Q2")
        first.click("main button[type=submit]")
        first.wait_for_load_state()
        assert "Koffieochtend in de bibliotheek" in first.content()
        first.goto(live_server + "/issues/4/agendas/1/history/diff")
        assert "Koffieochtend" in first.content() and axe_violations(first) == []
    finally:
        change_phase(director, live_server, "issues")
