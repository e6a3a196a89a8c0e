"""Delivering the outbox: every mail at least once, and a second sending harmless.

A row goes pending -> sending (claimed by one worker) -> sent; or back to pending after a failure, to be tried
again later (1, 5 and 30 minutes, 2 and 12 hours); or failed after MAIL_MAX_ATTEMPTS tries (shown to the
administrator on /admin/mail); or cancelled (nothing left to tell: the content was hidden meanwhile, or the
person switched that mail off).

Why no mail is sent twice by two workers, and why a resend after a crash does no harm
------------------------------------------------------------------------------------
- The claim is one UPDATE that moves due rows to "sending" (with `claimed_at` and one more attempt) and returns
  their ids; it commits before anything is sent. A row is due when it is pending and its time has come, or when
  it has been "sending" for longer than the lease (MAIL_CLAIM_LEASE, 10 minutes: its worker died). On
  PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED, on SQLite the statement holds the write
  lock: two workers never claim the same row while its lease lasts.
- No database transaction stays open while the mail server answers, and each mail is recorded as sent in its
  own transaction right after the server accepted it.
- SMTP cannot promise exactly once: a worker killed after the server's "250 accepted" and before recording
  leaves its row "sending". After the lease another worker sends it again, with the SAME Message-ID (fixed
  when the row was made), and mail clients show one message for one Message-ID. So a mail arrives at least
  once, and at worst twice as one. tests/test_outbox_crash.py kills a real worker at exactly that moment.

Notification and digest rows are written when they are sent (`compose(row)`, registered per kind in
`app.extensions["mail_composers"]` by the factory), so visibility and the person's choices are checked again
then; a composer that returns None cancels the row.
"""

from __future__ import annotations

import os
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.extensions import db
from app.mail.message import build
from app.mail.models import OutboxMail, OutboxStatus
from app.mail.transport import SendError, Transport
from app.models_common import utcnow

BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_LEASE_SECONDS = 600
DEFAULT_KEEP_DAYS = 90  # sent and cancelled rows are kept this long (for "did my mail go out?"), then removed
CRASH_AFTER_SEND = "MAIL_TEST_CRASH_AFTER_SEND"  # tests only: see `_crash_for_test`


def deliver_due(limit: int = 100, rounds: int = 50) -> int:
    """Send the mails that are due, `limit` per claim and at most `rounds` claims; returns how many the mail
    server accepted.

    The job queue runs this after each commit that queued mail, and the scheduler every few minutes (for
    retries and for rows a dead worker left behind). It works in an application context and database
    session of its own, never in the caller's transaction (which may be in the middle of committing).
    Several running at once share the work: each claims its own rows.
    """
    app = current_app._get_current_object()
    sent = 0
    with app.app_context(), Transport() as transport:
        for _round in range(rounds):
            ids = _claim(limit)
            for position, mail_id in enumerate(ids):
                try:
                    sent += _deliver(transport, mail_id)
                except _ServerDown as down:
                    # the server cannot be reached: the rest would only wait for the same timeout
                    for rest in ids[position + 1 :]:
                        _record_failure(rest, down.error)
                    return sent
            if len(ids) < limit:
                break
    return sent


class _ServerDown(Exception):
    def __init__(self, error: SendError):
        self.error = error


def _max_attempts() -> int:
    return current_app.config.get("MAIL_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS


def _due(now):
    lease = timedelta(seconds=current_app.config.get("MAIL_CLAIM_LEASE") or DEFAULT_LEASE_SECONDS)
    return sa.or_(
        sa.and_(OutboxMail.status == OutboxStatus.PENDING.value, OutboxMail.next_attempt_at <= now),
        sa.and_(OutboxMail.status == OutboxStatus.SENDING.value, OutboxMail.claimed_at < now - lease),
    )


def _claim(limit: int) -> list[int]:
    """Mark up to `limit` due rows as ours, atomically, and commit that before sending anything."""
    now = utcnow()
    candidates = (
        sa.select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claim = (
        sa.update(OutboxMail)
        .where(OutboxMail.id.in_(candidates.scalar_subquery()), _due(now))
        .values(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=OutboxMail.attempts + 1)
        .returning(OutboxMail.id)
    )
    ids = sorted(db.session.scalars(claim, execution_options={"synchronize_session": False}).all())
    db.session.commit()
    return ids


def _content(row: OutboxMail) -> tuple[str, str] | None:
    """(subject, body) as it goes out now; None when nothing is left to tell."""
    composer = current_app.extensions.get("mail_composers", {}).get(row.kind)
    if composer is None:
        return row.subject, row.body
    return composer(row)


def _deliver(transport: Transport, mail_id: int) -> int:
    row = db.session.get(OutboxMail, mail_id)
    if row is None or row.status != OutboxStatus.SENDING.value:
        db.session.commit()
        return 0
    if row.attempts > _max_attempts():  # taken over from dead workers again and again: stop
        _fail(row, SendError("sending was interrupted too often"))
        db.session.commit()
        return 0
    try:
        content = _content(row)
    except Exception:  # a composer's bug must not stop the other mails
        current_app.logger.exception("writing mail %s failed", mail_id)
        db.session.rollback()
        _record_failure(mail_id, SendError("the mail could not be written (see the log)"))
        return 0
    if content is None:
        row.status, row.body = OutboxStatus.CANCELLED.value, ""
        db.session.commit()
        return 0
    subject, body = content
    user = db.session.get(User, row.user_id) if row.user_id else None
    try:
        message, text = build(row, subject, body, user)
    except ValueError as error:  # an address or header no mail can carry: trying again will not help
        _fail(row, SendError(f"the mail could not be made: {error}", permanent=True))
        db.session.commit()
        return 0
    row.subject = subject[:300]
    kind, address = row.kind, row.to_address
    db.session.commit()  # nothing stays open (or locked) while the mail server answers

    try:
        transport.send(message, text, kind)
    except SendError as error:
        current_app.logger.warning("mail %s to %s not sent: %s", mail_id, address, error.text)
        _record_failure(mail_id, error)
        if error.connecting:
            raise _ServerDown(error) from None
        return 0
    _crash_for_test()
    _record_sent(mail_id)
    return 1


def _record_sent(mail_id: int) -> None:
    row = db.session.get(OutboxMail, mail_id)
    row.status, row.sent_at, row.last_error = OutboxStatus.SENT.value, utcnow(), ""
    if row.kind == "system":
        row.body = ""  # it may hold a link to reset a password: not kept once sent (the subject stays)
    db.session.commit()


def _record_failure(mail_id: int, error: SendError) -> None:
    row = db.session.get(OutboxMail, mail_id)
    if row is not None and row.status == OutboxStatus.SENDING.value:
        _fail(row, error)
    db.session.commit()


def _fail(row: OutboxMail, error: SendError) -> None:
    """Try again later with back-off, or give up: after the last attempt, or when trying again cannot help."""
    row.last_error = error.text[:500]
    if error.permanent or row.attempts >= _max_attempts():
        row.status = OutboxStatus.FAILED.value
        return
    row.status = OutboxStatus.PENDING.value
    row.next_attempt_at = utcnow() + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]


def _crash_for_test() -> None:
    """Tests only: die between the server's acceptance and the recording, as a killed worker would."""
    if current_app.config.get("TESTING") and os.environ.get(CRASH_AFTER_SEND) == "1":
        os._exit(9)


def purge_old(keep_days: int | None = None, batch: int = 500) -> dict:
    """Delete sent and cancelled mails older than MAIL_KEEP_DAYS (failed ones stay until the administrator acts).

    In batches, each its own short transaction (on SQLite each holds the write lock). Scheduled daily.
    """
    keep = keep_days if keep_days is not None else current_app.config.get("MAIL_KEEP_DAYS", DEFAULT_KEEP_DAYS)
    cutoff = utcnow() - timedelta(days=keep)
    done = (OutboxStatus.SENT.value, OutboxStatus.CANCELLED.value)
    removed = 0
    while True:
        ids = db.session.scalars(
            sa.select(OutboxMail.id).where(OutboxMail.status.in_(done), OutboxMail.created_at < cutoff).limit(batch)
        ).all()
        if not ids:
            return {"removed": removed}
        db.session.execute(sa.delete(OutboxMail).where(OutboxMail.id.in_(ids)))
        db.session.commit()
        removed += len(ids)
