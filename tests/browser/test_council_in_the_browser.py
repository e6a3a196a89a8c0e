"""The council clerk records a position on a phone without JavaScript; errors are announced and accessible."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations, overflow

pytestmark = pytest.mark.browser


def test_form_errors_are_next_to_the_fields_and_accessible(live_server, new_page):
    page = new_page(width=360, height=740)
    log_in(page, live_server, "raad@example.org")
    page.goto(live_server + "/council/positions/new")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#reference-error").is_visible() and page.locator("#decided_on-error").is_visible()
    assert axe_violations(page) == [] and overflow(page) <= 0


def test_record_a_position_on_a_phone_without_javascript(live_server, new_page):
    page = new_page(width=360, height=740, javascript=False)
    log_in(page, live_server, "raad@example.org")
    page.goto(live_server + "/council")
    page.click("text=Standpunt of besluit vastleggen")
    page.wait_for_load_state()
    page.check("#kind-1")  # motie
    page.fill("#decided_on", "2026-11-12")
    page.fill("#reference", "M2026-070")
    page.fill("#title", "Motie bankjes in het park")
    page.fill("#summary", "De raad vraagt om **bankjes** langs de vijver.")
    page.check("#outcome-0")  # aangenomen
    page.fill("#issues", "6")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/council/positions/" in page.url
    assert "Motie bankjes in het park" in page.content() and "<strong>bankjes</strong>" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server + "/issues/6")
    assert "Motie bankjes in het park" in page.content()
