"""A facilitator makes the congress bundle on a phone without JavaScript, the night before the congress."""

from __future__ import annotations

import zipfile

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations, overflow

pytestmark = pytest.mark.browser


def test_a_facilitator_makes_and_downloads_the_bundle_without_javascript(live_server, new_page, tmp_path):
    phone = new_page(width=360, height=740, javascript=False)
    log_in(phone, live_server, "facilitator@example.org")
    phone.goto(live_server + "/exports")
    phone.select_option("#process_slug", "buytenwegh")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert "/exports/" in phone.url and overflow(phone) <= 0
    link = phone.locator("main a[href$='/download']")
    assert link.count() == 1
    with phone.expect_download() as download:
        link.click()
    target = tmp_path / "bundle.zip"
    download.value.save_as(target)
    with zipfile.ZipFile(target) as bundle:
        names = bundle.namelist()
    assert "booklet.pdf" in names and any(n.endswith(".xlsx") for n in names)

    checker = new_page(width=360, height=740)  # axe needs JavaScript: the same result page
    log_in(checker, live_server, "facilitator@example.org")
    checker.goto(phone.url)
    assert axe_violations(checker) == [] and overflow(checker) <= 0
