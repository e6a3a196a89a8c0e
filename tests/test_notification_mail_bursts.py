"""A burst of answers on an issue is one mail, not one per answer: an instant notification mail waits
NOTIFICATION_MAIL_DELAY for more of the same topic, and what comes meanwhile joins it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail import deliver_due
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user

ANSWER = {"stance": "for", "kind": "experience"}


def busy_issue(app, client, auth):
    """An issue with its author and a follower; the wijkregisseur signed in to answer."""
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    follower = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id, title="Speeltuin")
    auth.login(follower.email)
    assert client.post(f"/issues/{issue.id}/follow").status_code == 302
    auth.logout()
    auth.login_as("wijkregisseur")
    return author, follower, issue


def answer(client, issue_id: int, n: int) -> None:
    data = {**ANSWER, "body": f"Antwoord nummer {n} van de gemeente."}
    assert client.post(f"/issues/{issue_id}/comments", data=data).status_code == 302


def mails(app) -> list[OutboxMail]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return found


def time_passes(app) -> None:
    with app.app_context():
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        deliver_due()


def test_three_answers_in_a_row_are_one_mail_to_each_person(app, client, auth, outbox):
    app.config["NOTIFICATION_MAIL_DELAY"] = 120
    author, follower, issue = busy_issue(app, client, auth)
    for n in (1, 2, 3):
        answer(client, issue.id, n)
    assert outbox == []  # waiting for more
    waiting = mails(app)
    assert sorted(row.user_id for row in waiting) == sorted([author.id, follower.id])
    assert all(len(row.refs) == 3 and row.status == "pending" for row in waiting)
    assert all(row.next_attempt_at > utcnow() + timedelta(seconds=100) for row in waiting)

    time_passes(app)
    assert sorted(m.to for m in outbox) == sorted([author.email, follower.email])
    for mail in outbox:
        assert mail.subject == "3 nieuwe meldingen"
        assert mail.body.count("\n- ") == 3  # a line (and its link) for each answer
        assert mail.body.count("http://localhost/comments/") == 3


def test_a_mail_already_being_sent_is_left_alone_and_a_new_one_starts(app, client, auth, outbox):
    app.config["NOTIFICATION_MAIL_DELAY"] = 120
    author, _follower, issue = busy_issue(app, client, auth)
    answer(client, issue.id, 1)
    with app.app_context():  # a worker has just claimed the author's mail
        db.session.execute(
            sa.update(OutboxMail).where(OutboxMail.user_id == author.id).values(status="sending", claimed_at=utcnow())
        )
        db.session.commit()
    answer(client, issue.id, 2)
    of_author = [row for row in mails(app) if row.user_id == author.id]
    assert [(row.status, len(row.refs)) for row in of_author] == [("sending", 1), ("pending", 1)]


def test_without_a_delay_each_answer_is_mailed_at_once(app, client, auth, outbox):
    assert app.config["NOTIFICATION_MAIL_DELAY"] == 0  # as the other tests expect
    author, _follower, issue = busy_issue(app, client, auth)
    answer(client, issue.id, 1)
    assert sorted(m.to for m in outbox if m.to == author.email) == [author.email]
    answer(client, issue.id, 2)
    assert [m.to for m in outbox].count(author.email) == 2
