"""Who hears of a reply in a thread, through the real pages: an answer placed under someone's reaction also
tells that reaction's author, and a reply to a reaction also tells the issue's author; never the one who
wrote it, and each person once per event, with the words that fit them ("your reaction", "your issue")."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Event, Notification
from tests.conftest import make_issue, make_process, make_user

REACTION = {"body": "Goed idee, de speeltuin is echt te klein.", "stance": "for", "kind": "experience"}


def _told(app, kind: str) -> list[int]:
    """The user ids told of the events of `kind`, once per notification (so a double shows twice)."""
    with app.app_context():
        return sorted(
            db.session.scalars(
                sa.select(Notification.user_id).join(Event, Event.id == Notification.event_id).where(Event.kind == kind)
            )
        )


def _react(client, auth, person, issue_id: int, parent_id: int | None = None, body: str | None = None) -> int:
    from app.issues.models import Comment

    auth.logout()
    auth.login(person.email)
    data = dict(REACTION, body=body or f"{REACTION['body']} ({person.display_name})")
    if parent_id:
        data["parent_id"] = parent_id
    assert client.post(f"/issues/{issue_id}/comments", data=data).status_code == 302
    with client.application.app_context():
        return db.session.scalar(sa.select(sa.func.max(Comment.id)).where(Comment.author_id == person.id))


def _notifications_page(client, auth, person) -> str:
    auth.logout()
    auth.login(person.email)
    return client.get("/notifications").get_data(as_text=True)


def _world(app):
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident", name="Fatima")
    neighbour = make_user(app, role="resident", name="Noor")
    other = make_user(app, role="resident", name="Olaf")
    partner = make_user(app, role="partner", org="Stichting Speelruimte", name="Paul")
    issue = make_issue(app, process.id, author.id, title="Speeltuin")
    return author, neighbour, other, partner, issue


def test_an_answer_under_a_reaction_also_tells_its_author(app, client, auth):
    author, neighbour, _other, partner, issue = _world(app)
    reaction = _react(client, auth, neighbour, issue.id)
    _react(client, auth, partner, issue.id, parent_id=reaction)
    assert _told(app, "issue_answered") == sorted([author.id, neighbour.id])  # not the partner who answered
    assert "Een partner heeft gereageerd op uw reactie bij ‘Speeltuin’" in _notifications_page(client, auth, neighbour)
    assert "Een partner heeft gereageerd op uw onderwerp ‘Speeltuin’" in _notifications_page(client, auth, author)


def test_an_answer_under_the_issue_authors_own_reaction_tells_them_once(app, client, auth):
    author, _neighbour, _other, partner, issue = _world(app)
    own = _react(client, auth, author, issue.id)
    _react(client, auth, partner, issue.id, parent_id=own)
    assert _told(app, "issue_answered") == [author.id]
    page = _notifications_page(client, auth, author)
    assert page.count("Een partner heeft gereageerd op uw onderwerp ‘Speeltuin’") == 1


def test_a_reply_also_tells_the_issue_author_but_not_the_one_who_replied(app, client, auth):
    author, neighbour, other, _partner, issue = _world(app)
    reaction = _react(client, auth, neighbour, issue.id)
    _react(client, auth, other, issue.id, parent_id=reaction)
    assert _told(app, "comment_reply") == sorted([author.id, neighbour.id])
    assert "Iemand antwoordde op uw reactie bij ‘Speeltuin’" in _notifications_page(client, auth, neighbour)
    page = _notifications_page(client, auth, author)
    assert "Iemand antwoordde op een reactie bij uw onderwerp ‘Speeltuin’" in page
    assert "Iemand antwoordde op uw reactie" not in page

    # the issue's author replying in the thread: the reaction's author hears of it, the issue's author not
    _react(client, auth, author, issue.id, parent_id=reaction, body="Dank u, ik neem het mee.")
    assert _told(app, "comment_reply") == sorted([author.id, neighbour.id, neighbour.id])


def test_a_reply_to_the_issue_authors_own_reaction_tells_them_once(app, client, auth):
    author, neighbour, _other, _partner, issue = _world(app)
    own = _react(client, auth, author, issue.id)
    _react(client, auth, neighbour, issue.id, parent_id=own)
    assert _told(app, "comment_reply") == [author.id]
    page = _notifications_page(client, auth, author)
    assert page.count("Iemand antwoordde op uw reactie bij ‘Speeltuin’") == 1
    assert "een reactie bij uw onderwerp" not in page
