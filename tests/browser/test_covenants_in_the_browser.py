"""Phase 4 in a real browser: a board member signs on a phone without JavaScript, anyone verifies a
fingerprint, the wijkregisseur manages parties; every screen passes axe and fits a 360 px screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations, overflow
from tests.browser.test_agendas_in_the_browser import change_phase, set_phase

pytestmark = pytest.mark.browser


def _checked(page) -> None:
    assert axe_violations(page) == [], page.url
    assert overflow(page) <= 0, f"{page.url} scrolls sideways"


def _checked_at(new_page, url: str, who: str | None = None) -> None:
    """axe needs JavaScript: check the same page in a second phone with it on."""
    page = new_page(width=360, height=740)
    if who:
        log_in(page, url.split("/covenants")[0], who)
    page.goto(url)
    _checked(page)


def test_a_signatory_signs_on_a_phone_without_javascript(live_server, new_page):
    director = new_page()
    set_phase(director, live_server, "covenants")
    try:
        director.goto(live_server + "/covenants/2/parties")
        _checked(director)
        director.goto(live_server + "/covenants/2/edit")
        _checked(director)

        phone = new_page(width=360, height=740, javascript=False)
        log_in(phone, live_server, "bestuur-piezo@example.org")
        phone.goto(live_server + "/covenants/2")
        phone.click("main a[href$='/covenants/2/sign']")
        phone.wait_for_load_state()
        assert phone.url.endswith("/covenants/2/sign")
        assert overflow(phone) <= 0
        _checked_at(new_page, live_server + "/covenants/2/sign", "bestuur-piezo@example.org")
        fingerprint = phone.locator("input[name=fingerprint]").input_value()
        assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)

        # a wrong password: the message is next to the field, nothing is signed (checked with axe, so with JS)
        checker = new_page(width=360, height=740)
        log_in(checker, live_server, "bestuur-piezo@example.org")
        checker.goto(live_server + "/covenants/2/sign")
        checker.fill("#password", "niet-mijn-wachtwoord")
        checker.fill("#full_name", "Karim El Amrani")
        checker.check("#confirm")
        checker.click("main button[type=submit]")
        checker.wait_for_load_state()
        assert checker.locator(".error-summary").is_visible() and checker.locator("#password-error").is_visible()
        _checked(checker)

        phone.fill("#password", "niet-mijn-wachtwoord")
        phone.fill("#full_name", "Karim El Amrani")
        phone.check("#confirm")
        phone.click("main button[type=submit]")
        phone.wait_for_load_state()
        assert phone.locator("#password-error").is_visible()

        phone.fill("#password", "lantaarn-fiets-dinsdag-42")
        phone.fill("#full_name", "Karim El Amrani")
        phone.check("#confirm")
        phone.click("main button[type=submit]")
        phone.wait_for_load_state()
        assert phone.url.endswith("/covenants/2")
        assert "Stichting Piëzo" in phone.content() and overflow(phone) <= 0
        _checked_at(new_page, live_server + "/covenants/2")
    finally:
        change_phase(director, live_server, "issues")


def test_anyone_verifies_a_printed_fingerprint_on_a_phone(live_server, new_page):
    page = new_page(width=360, height=740)
    page.goto(live_server + "/covenants/1")
    fingerprint = page.locator("code.fingerprint-code").first.inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    page.goto(live_server + "/covenants/verify")
    # typed as printed: in groups, with capitals
    page.fill("#fingerprint", " ".join(fingerprint[i : i + 8] for i in range(0, 64, 8)).upper())
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Veilig winkelgebied Buytenwegh 2027" in page.content()
    _checked(page)
