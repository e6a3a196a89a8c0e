"""Notification mails are written when they are sent (app/notifications/mails.py): in the reader's language,
one line per thing with its link, and only what may still be told to someone who still wants it at once."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.mail.models import OutboxMail
from app.notifications.models import Delivery, Notification
from tests.conftest import make_issue, make_process, make_user


def _setup(app, language="nl"):
    from app.accounts.models import User

    process = make_process(app, phase="issues")
    author = make_user(app, role="resident", name="Fatima")
    director = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, author.id, title="Speeltuin")
    with app.app_context():
        db.session.get(User, author.id).language = language
        db.session.commit()
    return author, director, issue


def _decline(app, issue_id: int, actor_id: int, before_commit=None) -> None:
    """The decision as the service records it; `before_commit` runs in the same transaction, after the event
    (so it happens between the event and the mail, which goes out after the commit)."""
    from app.accounts.models import User
    from app.issues.models import Issue
    from app.notifications.events import record

    with app.app_context():
        record(
            "issue_declined",
            actor=db.session.get(User, actor_id),
            issue=db.session.get(Issue, issue_id),
            reason="Dit valt buiten de wijk.",
        )
        if before_commit:
            before_commit()
        db.session.commit()


def _rows(app):
    with app.app_context():
        return [(r.kind, r.status, r.user_id) for r in db.session.scalars(sa.select(OutboxMail))]


def _mailed_at(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(Notification.mailed_at).where(Notification.user_id == user_id))


def test_an_instant_mail_says_what_happened_and_where_to_look(app, outbox):
    author, director, issue = _setup(app)
    _decline(app, issue.id, director.id)

    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.to == author.email
    assert mail.subject == "Uw onderwerp ‘Speeltuin’ is niet gekozen: Dit valt buiten de wijk."
    assert "Beste Fatima," in mail.body
    assert (
        f"- Uw onderwerp ‘Speeltuin’ is niet gekozen: Dit valt buiten de wijk.\n  http://localhost/issues/{issue.id}"
        in (mail.body)
    )
    assert "http://localhost/notifications" in mail.body
    assert _mailed_at(app, author.id) is not None
    assert _rows(app) == [("notification", "sent", author.id)]


def test_the_mail_is_in_the_language_the_person_chose(app, outbox):
    _author, director, issue = _setup(app, language="en")
    _decline(app, issue.id, director.id)
    assert outbox[0].subject == "Your issue “Speeltuin” was not chosen: Dit valt buiten de wijk."
    assert "Hello Fatima," in outbox[0].body


def test_an_issue_hidden_before_the_mail_goes_out_is_not_mailed(app, outbox):
    from app.issues.models import Issue

    author, director, issue = _setup(app)

    def hide():
        db.session.get(Issue, issue.id).visibility = "hidden"

    _decline(app, issue.id, director.id, before_commit=hide)
    assert outbox == []
    assert _rows(app) == [("notification", "cancelled", author.id)]


def test_a_mail_queued_earlier_is_checked_again_when_sent(app):
    """The row waits (a worker is slow); meanwhile the issue is hidden: compose() finds nothing to tell."""
    from app.issues.models import Issue
    from app.notifications.mails import compose

    _author, director, issue = _setup(app)
    app.extensions["mail_composers"] = {}  # nothing is sent at the commit: the row stays as queued
    _decline(app, issue.id, director.id)
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMail))
        assert compose(row) is not None  # still visible: there is something to say
        db.session.rollback()
        db.session.get(Issue, issue.id).visibility = "hidden"
        db.session.commit()
        assert compose(row) is None


def test_choosing_no_mail_before_it_goes_out_cancels_it_and_daily_leaves_it_for_the_digest(app, outbox):
    from app.accounts.models import User
    from app.issues.models import Follow
    from app.notifications.preferences import set_delivery

    author, director, issue = _setup(app)
    daily = make_user(app, role="resident")
    with app.app_context():
        db.session.add(Follow(issue_id=issue.id, user_id=daily.id))
        db.session.commit()

    def change_minds():
        set_delivery(db.session.get(User, author.id), "issue_status", Delivery.NONE)
        set_delivery(db.session.get(User, daily.id), "issue_status", Delivery.DAILY)

    _decline(app, issue.id, director.id, before_commit=change_minds)
    assert outbox == []
    assert sorted(status for _kind, status, _user in _rows(app)) == ["cancelled", "cancelled"]
    assert _mailed_at(app, author.id) is not None  # decided: no mail, ever
    assert _mailed_at(app, daily.id) is None  # the daily digest will tell of it


def test_a_suspended_account_gets_no_mail(app, outbox):
    from app.accounts.models import User

    author, director, issue = _setup(app)

    def suspend():
        db.session.get(User, author.id).active = False

    _decline(app, issue.id, director.id, before_commit=suspend)
    assert outbox == []


def test_a_savepoint_inside_the_change_neither_sends_the_mail_early_nor_drops_it(app, outbox):
    """unique_or and set_delivery use savepoints; releasing or rolling one back is not the commit."""
    from app.accounts.models import User
    from app.issues.models import Issue
    from app.notifications.events import record

    author, director, issue = _setup(app)
    with app.app_context():
        record("issue_declined", actor=db.session.get(User, director.id), issue=db.session.get(Issue, issue.id))
        with db.session.begin_nested():  # released
            db.session.get(User, director.id).display_name = "Wijkregisseur"
        assert outbox == []  # not before the commit
        try:
            with db.session.begin_nested():  # rolled back: a lost race handled inside the change
                raise ValueError
        except ValueError:
            pass
        db.session.commit()
    assert [m.to for m in outbox] == [author.email]
