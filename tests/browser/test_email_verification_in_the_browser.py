"""From registering to a first support on a phone: the mail's link confirms, logs in and goes back to the issue.
Each page on the way passes axe-core's WCAG 2.1 AA rules and fits 360 pixels."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import mails_to
from tests.browser.test_accessibility import axe_violations, overflow

pytestmark = pytest.mark.browser


def test_from_an_issue_through_registration_and_the_mail_to_a_first_support(live_server, new_page):
    page = new_page(width=360, height=740)
    page.goto(live_server + "/issues/1")
    page.click("text=Log in om dit onderwerp te steunen")
    page.wait_for_load_state()
    page.click("main >> text=Registreren")
    page.wait_for_load_state()
    page.fill("#display_name", "Noor")
    page.fill("#email", "noor@example.org")
    page.fill("#password", "kastanje-vlieger-zondag-8")
    page.fill("#password_confirm", "kastanje-vlieger-zondag-8")
    page.check("#accept_privacy")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Kijk in uw e-mail" in page.content() and "noor@example.org" in page.content()
    assert axe_violations(page) == [] and overflow(page) <= 0

    link = re.search(r"http://\S+/register/confirm/\S+", mails_to("noor@example.org")[-1].body).group(0)
    page.goto(live_server + urlsplit(link).path)
    assert "Noor" in page.content()
    assert axe_violations(page) == [] and overflow(page) <= 0
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/issues/1"  # back where the person was going, logged in
    page.click("main form[action$='/support'] button[type=submit]")
    page.wait_for_selector("main form[action$='/support'] button[aria-pressed=true]")


def test_an_unconfirmed_login_offers_the_mail_again(live_server, new_page):
    page = new_page(width=360, height=740)
    page.goto(live_server + "/register")
    page.fill("#display_name", "Sem")
    page.fill("#email", "sem@example.org")
    page.fill("#password", "kastanje-vlieger-zondag-8")
    page.fill("#password_confirm", "kastanje-vlieger-zondag-8")
    page.check("#accept_privacy")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server + "/login")
    page.fill("#email", "sem@example.org")
    page.fill("#password", "kastanje-vlieger-zondag-8")
    page.click("main form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "nog niet bevestigd" in page.content()
    assert axe_violations(page) == [] and overflow(page) <= 0
    page.click("text=Stuur de e-mail opnieuw")
    page.wait_for_load_state()
    assert len(mails_to("sem@example.org")) == 2
