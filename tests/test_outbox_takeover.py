"""Two workers never both send a mail while a claim lasts: a worker whose lease ran out (another worker took its
rows over) sends none of them any more and records nothing over the other's claim; batches are small enough
to finish within half the lease, and a worker that is slow anyway gives the rest of its batch back."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail import deliver_due, queue_mail
from app.mail import sender as sender_module
from app.mail.models import OutboxMail
from app.mail.transport import SMTP_TIMEOUT, Transport
from app.models_common import utcnow


def waiting_mails(app, count: int) -> None:
    """`count` mails due now, queued without starting a delivery."""
    with app.app_context():
        for n in range(count):
            row = queue_mail(kind="moderation", to=f"p{n}@example.org", subject="Onderwerp", body="Tekst")
            row.next_attempt_at = utcnow() + timedelta(hours=1)  # not due at the commit
        db.session.commit()
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow()))
        db.session.commit()


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return found


def test_a_worker_whose_rows_were_taken_over_sends_and_records_nothing_more(app, outbox, monkeypatch):
    waiting_mails(app, 3)
    send = Transport.send
    other_worker = utcnow() + timedelta(minutes=11)

    def slow(self, message, body, kind=""):
        send(self, message, body, kind)
        if len(outbox) == 1:  # the first mail took so long that the lease ran out: another worker claims all
            db.session.execute(
                sa.update(OutboxMail)
                .where(OutboxMail.status == "sending")
                .values(claimed_at=other_worker, attempts=OutboxMail.attempts + 1)
            )
            db.session.commit()

    monkeypatch.setattr(Transport, "send", slow)
    with app.app_context():
        deliver_due()
    assert [m.to for m in outbox] == ["p0@example.org"]  # the other two are the other worker's now
    for row in rows(app):  # and nothing was recorded over the other worker's claim
        assert (row.status, row.claimed_at, row.attempts, row.sent_at) == ("sending", other_worker, 2, None)

    monkeypatch.setattr(Transport, "send", send)
    with app.app_context():  # the other worker dies too; after its lease the mails go once more, as they should
        db.session.execute(sa.update(OutboxMail).values(claimed_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
        assert deliver_due() == 3
    assert [m.to for m in outbox] == ["p0@example.org", "p0@example.org", "p1@example.org", "p2@example.org"]
    assert outbox[0].message_id == outbox[1].message_id  # shown once by mail clients
    assert {row.status for row in rows(app)} == {"sent"}


def test_a_failure_is_not_recorded_over_another_workers_claim(app, outbox, monkeypatch):
    from app.mail.transport import SendError

    waiting_mails(app, 1)
    other_worker = utcnow() + timedelta(minutes=11)

    def refused_late(self, message, body, kind=""):
        db.session.execute(sa.update(OutboxMail).values(claimed_at=other_worker, attempts=OutboxMail.attempts + 1))
        db.session.commit()
        raise SendError("451 later")

    monkeypatch.setattr(Transport, "send", refused_late)
    with app.app_context():
        deliver_due()
    [row] = rows(app)
    assert (row.status, row.claimed_at, row.last_error) == ("sending", other_worker, "")


def test_one_claim_takes_no_more_than_fits_in_half_the_lease(app, outbox, monkeypatch):
    waiting_mails(app, 40)
    lease = app.config["MAIL_CLAIM_LEASE"]
    most = lease // 2 // SMTP_TIMEOUT
    assert most < 40
    claimed_at_once = []
    send = Transport.send

    def counting(self, message, body, kind=""):
        claimed_at_once.append(db.session.scalar(sa.select(sa.func.count()).where(OutboxMail.status == "sending")))
        send(self, message, body, kind)

    monkeypatch.setattr(Transport, "send", counting)
    with app.app_context():
        assert deliver_due(limit=100) == 40  # all of them, claim by claim
    assert max(claimed_at_once) == most
    assert most * SMTP_TIMEOUT <= lease / 2


def test_a_slow_worker_gives_the_rest_of_its_batch_back_before_the_lease_ends(app, outbox, monkeypatch):
    waiting_mails(app, 3)
    clock = {"ahead": timedelta(0)}
    monkeypatch.setattr(sender_module, "utcnow", lambda: utcnow() + clock["ahead"])
    send = Transport.send
    claims = []

    def slow(self, message, body, kind=""):
        claims.append(db.session.scalar(sa.select(OutboxMail.claimed_at).where(OutboxMail.status == "sending")))
        send(self, message, body, kind)
        clock["ahead"] += timedelta(minutes=6)  # each mail takes more than half the lease

    monkeypatch.setattr(Transport, "send", slow)
    with app.app_context():
        assert deliver_due() == 3
    # each mail went out under a claim of its own: the rest was given back and claimed anew each time
    assert len(set(claims)) == 3
    assert [(row.status, row.attempts) for row in rows(app)] == [("sent", 1)] * 3  # a given-back try does not count
