"""Every mail the site sends is an outbox row, written in the transaction that causes it and sent after its
commit: with a Message-ID fixed per row, written at send time when it tells of notifications, cancelled when
nothing is left to tell, and without the reset link in the database once sent."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail import deliver_due, queue_mail, send_after_commit, set_composers
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import make_user

MESSAGE_ID = re.compile(r"^<[0-9a-f]{16}\.[0-9a-f]{32}@localhost>$")


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return found


def test_a_reset_mail_is_an_outbox_row_sent_after_the_request(app, client, outbox):
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email})

    [row] = rows(app)
    assert row.kind == "system" and row.to_address == user.email and row.topic is None
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert row.subject == "Kies een nieuw wachtwoord"
    assert row.body == ""  # the reset link is not kept once sent
    assert MESSAGE_ID.match(row.message_id)
    [mail] = outbox
    assert mail.to == user.email and "/password/reset/" in mail.body
    assert mail.message_id == row.message_id  # the memory backend records the headers too


def test_message_ids_differ_per_row(app, client, outbox):
    first, second = make_user(app), make_user(app)
    client.post("/password/forgot", data={"email": first.email})
    client.post("/password/forgot", data={"email": second.email})
    ids = [row.message_id for row in rows(app)]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert [m.message_id for m in outbox] == ids


def test_a_rolled_back_change_sends_nothing(app, outbox):
    with app.app_context():
        send_after_commit("iemand@example.org", "Onderwerp", "Tekst")
        queue_mail(kind="moderation", to="ander@example.org", subject="Onderwerp", body="Tekst")
        db.session.rollback()
        db.session.commit()  # an empty transaction later: nothing was left to send
    assert rows(app) == [] and outbox == []


def test_nothing_is_sent_before_the_commit(app, outbox):
    with app.app_context():
        queue_mail(kind="moderation", to="iemand@example.org", subject="Onderwerp", body="Tekst")
        db.session.flush()
        assert outbox == []
        db.session.commit()
        assert [m.to for m in outbox] == ["iemand@example.org"]


def test_only_account_mails_lose_their_body_once_sent(app, outbox):
    with app.app_context():
        queue_mail(kind="moderation", to="a@example.org", subject="Uw reactie is verborgen", body="De reden: ...")
        send_after_commit("b@example.org", "Uw link", "https://geheim")
        db.session.commit()
    moderation, system = rows(app)
    assert moderation.body == "De reden: ..." and system.body == ""
    assert system.subject == "Uw link"


def test_notification_mails_are_written_when_sent(app, outbox):
    """The composer (app/notifications/mails.py in the app) is asked at send time; None cancels the row."""
    user = make_user(app)
    asked = []

    def compose(row):
        asked.append(list(row.refs))
        return None if row.refs == [2] else ("Nieuw bij uw melding", f"Over melding {row.refs[0]}")

    set_composers(app, {"notification": compose})
    with app.app_context():
        queue_mail(kind="notification", to=user.email, user=user.id, refs=[1], topic="issue_status")
        queue_mail(kind="notification", to=user.email, user=user.id, refs=[2], topic="issue_status")
        db.session.commit()
    assert asked == [[1], [2]]
    told, cancelled = rows(app)
    assert told.status == "sent" and told.subject == "Nieuw bij uw melding"
    assert cancelled.status == "cancelled"
    [mail] = outbox
    assert mail.subject == "Nieuw bij uw melding" and mail.body.startswith("Over melding 1")


def test_a_composer_that_breaks_fails_its_mail_only(app, outbox, caplog):
    def compose(row):
        raise RuntimeError("bug")

    set_composers(app, {"notification": compose})
    with app.app_context():
        queue_mail(kind="notification", to="a@example.org", refs=[1])
        queue_mail(kind="moderation", to="b@example.org", subject="Onderwerp", body="Tekst")
        db.session.commit()
    broken, fine = rows(app)
    assert broken.status == "pending" and broken.attempts == 1 and "could not be written" in broken.last_error
    assert fine.status == "sent" and [m.to for m in outbox] == ["b@example.org"]


def test_a_mail_waiting_for_a_retry_goes_when_its_time_comes(app, outbox):
    with app.app_context():
        row = queue_mail(kind="moderation", to="a@example.org", subject="Onderwerp", body="Tekst")
        row.next_attempt_at = utcnow() + timedelta(minutes=5)
        db.session.commit()
        assert deliver_due() == 0 and outbox == []
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert deliver_due() == 1
    assert [m.to for m in outbox] == ["a@example.org"]
    assert rows(app)[0].status == "sent"


def test_a_claimed_mail_is_left_alone_until_the_lease_ends(app, outbox):
    """A worker's claim lasts MAIL_CLAIM_LEASE: another run does not send the row meanwhile, but after it."""
    with app.app_context():
        row = queue_mail(kind="moderation", to="a@example.org", subject="Onderwerp", body="Tekst")
        row.next_attempt_at = utcnow() + timedelta(hours=1)
        db.session.commit()
        row.status, row.claimed_at, row.attempts = "sending", utcnow() - timedelta(minutes=9), 1
        db.session.commit()
        assert deliver_due() == 0 and outbox == []
        row.claimed_at = utcnow() - timedelta(minutes=11)
        db.session.commit()
        assert deliver_due() == 1
    assert len(outbox) == 1 and rows(app)[0].attempts == 2


def test_the_production_log_backend_gives_the_mail_to_the_administrator(app, caplog):
    app.config.update(MAIL_BACKEND="", MAIL_SERVER="", NAME="production")
    with app.app_context():
        send_after_commit("a@example.org", "Nieuw wachtwoord", "geheime-link")
        db.session.commit()
    [row] = rows(app)
    assert row.status == "failed" and row.last_error == "MAIL_SERVER is not set"
    assert "geheime-link" not in caplog.text


def test_old_sent_mails_are_removed_failed_ones_stay(app, outbox):
    from app.mail.sender import purge_old

    with app.app_context():
        for status, age in [("sent", 100), ("cancelled", 100), ("failed", 100), ("sent", 10), ("pending", 100)]:
            row = queue_mail(kind="moderation", to=f"{status}{age}@example.org", subject="Onderwerp", body="Tekst")
            row.status, row.created_at = status, utcnow() - timedelta(days=age)
            row.next_attempt_at = utcnow() + timedelta(hours=1)  # the pending one waits for a retry
        db.session.commit()
        assert purge_old(batch=1) == {"removed": 2}
    assert sorted(r.to_address for r in rows(app)) == [
        "failed100@example.org",
        "pending100@example.org",
        "sent10@example.org",
    ]


def test_an_address_no_mail_can_carry_fails_at_once_and_the_rest_goes(app, outbox):
    with app.app_context():
        queue_mail(kind="moderation", to="a@example.org\r\nBcc: b@example.org", subject="Onderwerp", body="Tekst")
        queue_mail(kind="moderation", to="c@example.org", subject="Onderwerp\r\nBcc: d@example.org", body="Tekst")
        db.session.commit()
    broken, fine = rows(app)
    assert broken.status == "failed" and broken.attempts == 1 and "could not be made" in broken.last_error
    assert fine.status == "sent"
    [mail] = outbox
    assert mail.to == "c@example.org" and mail.subject == "Onderwerp Bcc: d@example.org"  # one line, no header
    assert "Bcc" not in mail.headers


def test_one_run_drains_the_outbox_claim_by_claim(app, outbox):
    """A digest run queues thousands of mails: one delivery job sends them all, `limit` per claim."""
    with app.app_context():
        for n in range(5):
            row = queue_mail(kind="digest", to=f"p{n}@example.org", subject="Overzicht", body="Tekst")
            row.next_attempt_at = utcnow() + timedelta(minutes=1)
        db.session.commit()
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow()))
        db.session.commit()
        set_composers(app, {})
        assert deliver_due(limit=2) == 5
    assert len(outbox) == 5
