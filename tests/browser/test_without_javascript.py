"""Everything works with plain HTML forms: register, switch language, log out, with JavaScript off."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import log_in, mails_to

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
    assert "Kijk in uw e-mail" in page.content()  # registering does not log in: the link in the mail does
    link = re.search(r"http://\S+/register/confirm/\S+", mails_to("yusuf@example.org")[-1].body).group(0)
    page.goto(live_server + urlsplit(link).path)  # the mail's BASE_URL is not the test server's
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
    """Two steps without JavaScript, on a phone: choose the phase, read what it means, confirm with a reason."""
    page = new_page(javascript=False, width=360, height=740)
    log_in(page, live_server, "wijkregisseur@example.org")
    page.goto(live_server + "/processes/buytenwegh")
    page.select_option("#phase", "interim")
    page.click(".manage-box button[type=submit]")
    page.wait_for_load_state()
    assert "/processes/buytenwegh/phase?phase=interim" in page.url
    assert "Onderwerpen voorstellen en steunen" in page.content()  # what stops
    assert page.locator("#confirm").count() == 0  # the next step: a reason is enough
    page.fill("#reason", "Tussenstop in de browser")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert "Tussenstop in de browser" in page.locator("#phase-history + ol").inner_text()

    page.select_option("#phase", "issues")  # back, for the other tests: this needs the checkbox as well
    page.click(".manage-box button[type=submit]")
    page.wait_for_load_state()
    assert "U gaat terug naar een eerdere fase" in page.content()
    page.fill("#reason", "Terug voor de andere browsertests")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#confirm-error").count() == 1  # refused without the confirmation
    page.check("#confirm")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert "terug naar een eerdere fase" in page.locator("#phase-history + ol li").first.inner_text()


def test_partner_fields_hide_for_residents_with_javascript(live_server, new_page):
    page = new_page(width=360)
    page.goto(live_server + "/register")
    assert not page.locator("[data-partner-fields]").is_visible()  # resident is the default
    page.check("#role-1")
    assert page.locator("[data-partner-fields]").is_visible()
