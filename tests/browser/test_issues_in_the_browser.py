"""Phase 2 in a real browser: propose without JavaScript on a phone, support with and without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_propose_an_issue_without_javascript_on_a_phone(live_server, new_page):
    page = new_page(width=360, height=740, javascript=False)
    log_in(page, live_server, "buurtbewoner20@example.org")
    page.goto(live_server + "/processes/buytenwegh/issues/new")
    page.fill("#title", "Bankjes langs de vijver in het park")
    page.fill("#description", "Ouderen willen graag even zitten als ze een rondje lopen. Nu zijn er geen bankjes.")
    page.check("#domains-0")  # social
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if page.locator("[data-similar-step]").count():  # similar issues first: publish anyway
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    assert "/issues/" in page.url and "Bankjes langs de vijver" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_support_without_javascript_comes_back_to_the_list(live_server, new_page):
    page = new_page(javascript=False)
    log_in(page, live_server, "buurtbewoner21@example.org")
    page.goto(live_server + "/processes/buytenwegh/issues")
    first = page.locator("form[data-support]").first
    label = first.locator("button").inner_text()
    first.locator("button").click()
    page.wait_for_load_state()
    assert "/processes/buytenwegh/issues" in page.url
    assert page.locator("form[data-support]").first.locator("button").inner_text() != label


def test_support_with_javascript_updates_in_place(live_server, new_page):
    page = new_page()
    log_in(page, live_server, "buurtbewoner22@example.org")
    page.goto(live_server + "/issues/2")
    button = page.locator("form[data-support] button")
    start = button.get_attribute("aria-pressed")
    flipped = "false" if start == "true" else "true"
    before = page.locator("[data-support-count]").inner_text()
    url = page.url
    button.click()
    page.wait_for_function(
        f"document.querySelector('form[data-support] button').getAttribute('aria-pressed') === '{flipped}'"
    )
    assert page.url == url  # no reload
    assert page.locator("[data-support-count]").inner_text() != before
    button.click()
    page.wait_for_function(
        f"document.querySelector('form[data-support] button').getAttribute('aria-pressed') === '{start}'"
    )
    assert page.locator("[data-support-count]").inner_text() == before


def test_similar_issues_appear_while_typing(live_server, new_page):
    page = new_page()
    log_in(page, live_server, "buurtbewoner23@example.org")
    page.goto(live_server + "/processes/buytenwegh/issues/new")
    page.type("#title", "Eenzaamheid ouderen", delay=20)
    page.wait_for_selector("[data-similar-box]:not([hidden]) li", timeout=5000)
    assert page.locator("[data-similar-list] li").count() >= 1
