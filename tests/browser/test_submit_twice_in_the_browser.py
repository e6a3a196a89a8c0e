"""Going back and sending a form again in a real browser makes nothing twice (app/submissions.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.council.models import CouncilPosition
from app.extensions import db
from app.issues.models import Comment
from tests.browser.conftest import LIVE, log_in

pytestmark = pytest.mark.browser
AGAIN = "Dit had u al verstuurd; hier is het."


def count(model, *where) -> int:
    with LIVE["app"].app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("javascript", [True, False])
def test_back_and_send_a_reaction_again(live_server, new_page, javascript):
    page = new_page(javascript=javascript)
    log_in(page, live_server, "buurtbewoner23@example.org")
    body = f"Ik stuur dit maar één keer ({'met' if javascript else 'zonder'} JavaScript)."
    page.goto(live_server + "/issues/3")
    page.fill("#body", body)
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()
    assert count(Comment, Comment.body == body) == 1
    page.go_back()
    page.wait_for_load_state()
    if not page.input_value("#body"):  # the browser did not keep the typed text: type it again
        page.fill("#body", body)
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()
    assert count(Comment, Comment.body == body) == 1
    assert AGAIN in page.content() and body in page.content()


def test_back_and_send_a_council_position_again(live_server, new_page):
    """Chromium fetches the page again (a new token) and puts the typed fields back: still one position."""
    page = new_page(javascript=False)
    log_in(page, live_server, "raad@example.org")
    page.goto(live_server + "/council/positions/new")
    page.check("#kind-1")  # motie
    page.fill("#decided_on", "2026-11-19")
    page.fill("#reference", "M2026-099")
    page.fill("#title", "Motie eenmaal ingediend")
    page.fill("#summary", "De raad vraagt iets, één keer.")
    page.check("#outcome-0")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/council/positions/" in page.url
    page.go_back()
    page.wait_for_load_state()
    if not page.input_value("#title"):  # the browser did not keep the typed text: type it again
        page.fill("#title", "Motie eenmaal ingediend")
        page.fill("#summary", "De raad vraagt iets, één keer.")
    page.fill("#decided_on", "2026-11-19")  # Chromium leaves a date field empty when it goes back
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert count(CouncilPosition, CouncilPosition.title == "Motie eenmaal ingediend") == 1
    assert AGAIN in page.content() and "/council/positions/" in page.url
