"""Mijn pagina costs the same number of queries for someone with 3 contributions as for someone with 30."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from tests.conftest import make_issue, make_process, make_user
from tests.test_query_counts import counting


def _contribute(app, process_id, me, other, n: int, start: int) -> None:
    """`n` of everything: my issues in every state, reactions with replies, support, follows, notifications."""
    from app.agendas.models import WorkingGroupMember
    from app.issues.models import Comment, Follow, Issue, IssueStatusChange, Support
    from app.models_common import utcnow
    from app.notifications.models import Event, Notification

    states = ["merged", "shortlisted", "declined", "open", "withdrawn"]  # three of them show each kind of line
    target = make_issue(app, process_id, other.id, title=f"Doel {start}")
    for i in range(start, start + n):
        mine = make_issue(app, process_id, me.id, title=f"Mijn onderwerp {i}", created_at=utcnow() - timedelta(days=i))
        theirs = make_issue(app, process_id, other.id, title=f"Onderwerp van een ander {i}")
        with app.app_context():
            issue = db.session.get(Issue, mine.id)
            issue.status = states[i % len(states)]
            if issue.status == "merged":
                issue.merged_into_id = target.id
            if i % 4 == 0:
                issue.visibility = "hidden"
                issue.moderation_note = "Niet over de wijk."
            if i % 3 == 0:
                issue.feedback = f"Terugkoppeling {i}"
                issue.feedback_at = utcnow()
            db.session.add(
                IssueStatusChange(issue_id=mine.id, from_status="open", to_status=issue.status, reason=f"Reden {i}.")
            )
            thread = Comment(issue_id=theirs.id, author_id=me.id, body=f"Mijn reactie {i}")
            db.session.add(thread)
            db.session.flush()
            db.session.add_all(
                [
                    Comment(issue_id=theirs.id, author_id=other.id, parent_id=thread.id, body=f"Antwoord {i}"),
                    Comment(issue_id=theirs.id, author_id=me.id, parent_id=thread.id, body=f"Mijn antwoord {i}"),
                    Support(issue_id=theirs.id, user_id=me.id),
                    Follow(issue_id=theirs.id, user_id=me.id),
                    WorkingGroupMember(issue_id=theirs.id, user_id=me.id, status="admitted"),
                ]
            )
            event = Event(kind="issue_shortlisted", issue_id=mine.id, process_id=process_id, data={"rationale": "x"})
            db.session.add(event)
            db.session.flush()
            db.session.add(Notification(user_id=me.id, event_id=event.id, topic="issue_status"))
            db.session.commit()


def _queries(app, client, url) -> int:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_my_page_queries_do_not_grow_with_what_i_did(app, client):
    process = make_process(app, slug="wijk")
    me, other = make_user(app), make_user(app)
    _contribute(app, process.id, me, other, 3, 0)
    assert client.post("/login", data={"email": me.email, "password": me.password}).status_code == 302
    urls = ["/mijn", "/mijn/onderwerpen", "/mijn/reacties", "/mijn/steun", "/mijn/volgend"]
    few = {url: _queries(app, client, url) for url in urls}
    _contribute(app, process.id, me, other, 27, 3)
    many = {url: _queries(app, client, url) for url in urls}
    assert many == few
    assert few["/mijn"] <= 60, few  # a fixed, modest number for the whole page (about 42 now)


def test_covenants_to_sign_cost_the_same_for_one_or_many(app, client):
    from tests.covenant_helpers import make_covenant, open_covenant

    world = make_covenant(app, title="Eerste convenant")
    open_covenant(app, world)
    signer = world.signatories[0]
    assert client.post("/login", data={"email": signer.email, "password": signer.password}).status_code == 302
    one = _queries(app, client, "/mijn")
    for i in range(3):
        more = make_covenant(app, title=f"Convenant {i}")
        open_covenant(app, more)
    html = client.get("/mijn").get_data(as_text=True)
    assert "Convenant 2" in html
    assert _queries(app, client, "/mijn") == one
