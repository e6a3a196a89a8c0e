"""Everything works with plain HTML forms: register, switch language, log out, with JavaScript off."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_register_and_log_out_without_javascript_on_a_phone(live_server, new_page):
    page = new_page(width=360, height=740, javascript=False)
    page.goto(live_server + "/register")
    # without JavaScript the partner questions stay visible, marked "only for partners"
    assert page.locator("[data-partner-fields]").is_visible()
    page.fill("#display_name", "Yusuf")
    page.fill("#email", "yusuf@example.org")
    page.fill("#password", "regenboog-molen-vrijdag-3")
    page.fill("#password_confirm", "regenboog-molen-vrijdag-3")
    page.check("#role-0")
    page.check("#accept_privacy")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Welkom" in page.content()
    page.goto(live_server + "/account")
    assert "yusuf@example.org" in page.content()
    page.click("nav button:has-text('Uitloggen')")
    page.wait_for_load_state()
    page.goto(live_server + "/account")
    assert "/login" in page.url


def test_language_switch_without_javascript(live_server, new_page):
    page = new_page(javascript=False)
    page.goto(live_server + "/privacy")
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.url.endswith("/privacy")
    assert page.locator("h1").inner_text() == "Privacy statement"


def test_wijkregisseur_changes_phase_without_javascript(live_server, new_page):
    page = new_page(javascript=False)
    log_in(page, live_server, "wijkregisseur@example.org")
    page.goto(live_server + "/processes/buytenwegh")
    page.select_option("#phase", "interim")
    page.fill("#note", "Tussenstop in de browser")
    page.click(".manage-box button[type=submit]")
    page.wait_for_load_state()
    assert "Tussenstop in de browser" in page.content()
    page.select_option("#phase", "issues")  # put it back for the other tests
    page.click(".manage-box button[type=submit]")
    page.wait_for_load_state()


def test_partner_fields_hide_for_residents_with_javascript(live_server, new_page):
    page = new_page(width=360)
    page.goto(live_server + "/register")
    assert not page.locator("[data-partner-fields]").is_visible()  # resident is the default
    page.check("#role-1")
    assert page.locator("[data-partner-fields]").is_visible()
