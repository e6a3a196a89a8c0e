"""The notifications page and the count in the header: unread ones marked with a word, marked read once seen,
hidden content never listed, one's own only, signed in only."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import make_issue, make_process, make_user


def _decide(app, issue_id: int, actor_id: int, kind: str = "issue_declined", **data) -> None:
    from app.accounts.models import User
    from app.issues.models import Issue
    from app.notifications.events import record

    with app.app_context():
        record(kind, actor=db.session.get(User, actor_id), issue=db.session.get(Issue, issue_id), **data)
        db.session.commit()


def _header_count(html: str) -> str:
    match = re.search(r'class="utrecht-link site-nav__notifications"[^>]*>(.*?)</a>', html, re.S)
    assert match, "no notifications link in the header"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _world(app, titles=("Speeltuin", "Bankjes", "Fietspad")):
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    director = make_user(app, role="wijkregisseur")
    issues = [make_issue(app, process.id, author.id, title=title) for title in titles]
    return author, director, issues


def test_signed_out_people_are_sent_to_log_in(client):
    for url in ("/notifications", "/notifications/preferences"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    response = client.post("/notifications/read")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_header_counts_unread_ones_and_the_page_marks_them_read(app, client, auth):
    author, director, issues = _world(app)
    for issue in issues:
        _decide(app, issue.id, director.id, reason="Past niet in dit proces.")
    auth.login(author.email)

    assert _header_count(client.get("/").get_data(as_text=True)) == "Meldingen (3 ongelezen)"

    html = client.get("/notifications").get_data(as_text=True)
    assert html.count('<span class="tag tag--status">Nieuw</span>') == 3  # a word, not only a colour
    for title in ("Speeltuin", "Bankjes", "Fietspad"):
        assert f"Uw onderwerp ‘{title}’ is niet gekozen: Past niet in dit proces." in html
    # newest first
    assert html.index("Fietspad") < html.index("Bankjes") < html.index("Speeltuin")
    assert _header_count(html) == "Meldingen"  # seen now: the page's own header already says so

    again = client.get("/notifications").get_data(as_text=True)
    assert "tag--status" not in again and "Speeltuin" in again  # read, still listed
    assert _header_count(client.get("/").get_data(as_text=True)) == "Meldingen"


def test_the_count_is_one_query_however_many_notifications(app, client, auth):
    author, director, issues = _world(app, titles=[f"Onderwerp {n}" for n in range(6)])
    for issue in issues:
        _decide(app, issue.id, director.id, reason="Past niet in dit proces.")
    auth.login(author.email)
    statements = []
    with app.app_context():
        engine = db.engine

        def listener(*args):
            statements.append(args[2])

        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            client.get("/privacy")
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
    counts = [s for s in statements if "FROM notifications" in s]
    assert len(counts) == 1 and "count(" in counts[0].lower()


def test_content_hidden_after_the_event_is_no_longer_listed_or_counted(app, client, auth):
    from app.issues.models import Issue

    author, director, issues = _world(app, titles=("Speeltuin", "Geheim plan"))
    for issue in issues:
        _decide(app, issue.id, director.id, reason="Past niet in dit proces.")
    with app.app_context():
        db.session.get(Issue, issues[1].id).visibility = "hidden"
        db.session.commit()
    auth.login(author.email)

    assert _header_count(client.get("/").get_data(as_text=True)) == "Meldingen (1 ongelezen)"
    html = client.get("/notifications").get_data(as_text=True)
    assert "Speeltuin" in html and "Geheim plan" not in html and "niet meer zichtbaar" not in html


def test_nobody_sees_another_persons_notifications(app, client, auth):
    author, director, issues = _world(app, titles=("Speeltuin",))
    _decide(app, issues[0].id, director.id, reason="Past niet in dit proces.")
    auth.login_as("resident")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Speeltuin" not in html and "nog geen meldingen" in html
    assert _header_count(html) == "Meldingen"
    with app.app_context():  # looking did not mark the author's as read
        assert db.session.scalar(sa.select(Notification.read_at).where(Notification.user_id == author.id)) is None


def test_mark_all_read_marks_the_ones_on_other_pages_too(app, client, auth):
    from app.notifications.inbox import PER_PAGE

    author, director, issues = _world(app, titles=[f"Onderwerp {n}" for n in range(PER_PAGE + 2)])
    for issue in issues:
        _decide(app, issue.id, director.id, reason="Past niet in dit proces.")
    auth.login(author.email)
    first = client.get("/notifications").get_data(as_text=True)
    assert first.count("tag--status") == PER_PAGE and "Volgende pagina" in first
    assert _header_count(first) == "Meldingen (2 ongelezen)"
    assert 'action="/notifications/read"' in first

    response = client.post("/notifications/read", follow_redirects=True)
    assert "Al uw meldingen zijn nu gelezen." in response.get_data(as_text=True)
    assert _header_count(client.get("/").get_data(as_text=True)) == "Meldingen"
    assert "tag--status" not in client.get("/notifications?page=2").get_data(as_text=True)


def test_odd_page_numbers_are_refused_not_a_crash(app, client, auth):
    auth.login_as("resident")
    assert client.get("/notifications?page=abc").status_code == 400
    assert client.get("/notifications?page=99").status_code == 404


def test_the_header_count_stops_at_99_plus(app, client, auth):
    """Someone who never reads costs no more per page: the count stops counting at 100."""
    from app.notifications.models import Event

    author, _director, issues = _world(app, titles=("Speeltuin",))
    with app.app_context():
        events = db.session.scalars(
            sa.insert(Event).returning(Event.id),
            [{"kind": "issue_feedback", "issue_id": issues[0].id, "data": {}} for _ in range(120)],
        ).all()
        db.session.execute(
            sa.insert(Notification), [{"user_id": author.id, "event_id": e, "topic": "issue_status"} for e in events]
        )
        db.session.commit()
    auth.login(author.email)
    assert _header_count(client.get("/").get_data(as_text=True)) == "Meldingen (99+ ongelezen)"
    # the list shows the first page and marks those read; 100 are left, still more than 99
    assert _header_count(client.get("/notifications").get_data(as_text=True)) == "Meldingen (99+ ongelezen)"
    client.get("/notifications?page=2")  # the next 20
    assert _header_count(client.get("/").get_data(as_text=True)) == "Meldingen (80 ongelezen)"


def test_the_pages_are_dutch_with_every_kind_of_line(app, client, auth):
    """No English (or library) words on the list and the preferences page in Dutch."""
    from tests.dutch_text import faults

    author, director, issues = _world(app, titles=("Speeltuin", "Bankjes"))
    _decide(app, issues[0].id, director.id, "issue_shortlisted", rationale="Veel steun uit de wijk.")
    _decide(app, issues[1].id, director.id, reason="Past niet in dit proces.")
    auth.login(author.email)
    for url in ("/notifications", "/notifications/preferences"):
        html = client.get(url).get_data(as_text=True)
        assert faults(html) == [], (url, faults(html))


def test_the_list_costs_the_same_number_of_queries_however_long_it_is(app, client, auth):
    author, director, issues = _world(app, titles=[f"Onderwerp {n}" for n in range(12)])
    auth.login(author.email)

    def queries_for_the_list() -> int:
        statements = []
        with app.app_context():
            engine = db.engine

            def listener(*args):
                statements.append(args[2])

            sa.event.listen(engine, "before_cursor_execute", listener)
            try:
                assert client.get("/notifications").status_code == 200
            finally:
                sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    for issue in issues[:2]:
        _decide(app, issue.id, director.id, reason="Past niet in dit proces.")
    few = queries_for_the_list()
    for issue in issues[2:]:
        _decide(app, issue.id, director.id, "issue_shortlisted", rationale="Veel steun uit de wijk.")
    assert queries_for_the_list() == few
