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
- A claim is this worker's only as long as `claimed_at` is still the time it wrote: a worker that was too slow
  (its lease ran out and another worker took the row over) skips the row, and records "sent" or a failure only
  `WHERE claimed_at` is still its own, so it never overwrites the other worker's state. To keep that from
  happening at all, a batch is no larger than half the lease divided by the mail server's timeout, and a
  worker whose batch has taken half the lease gives the rest back to the queue unsent.
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
from app.mail.transport import SMTP_TIMEOUT, SendError, Transport
from app.models_common import utcnow

BACKOFF = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_LEASE_SECONDS = 600
DEFAULT_KEEP_DAYS = 90  # sent and cancelled rows are kept this long (for "did my mail go out?"), then removed
CRASH_AFTER_SEND = "MAIL_TEST_CRASH_AFTER_SEND"  # tests only: see `_crash_for_test`


def deliver_due(limit: int = 100, rounds: int = 50) -> int:
    """Send the mails that are due, `limit` per claim (at most `batch_size()`) and at most `rounds` claims;
    returns how many the mail server accepted.

    The job queue runs this after each commit that queued mail, and the scheduler every few minutes (for
    retries and for rows a dead worker left behind). It works in an application context and database
    session of its own, never in the caller's transaction (which may be in the middle of committing).
    Several running at once share the work: each claims its own rows.
    """
    app = current_app._get_current_object()
    sent = 0
    with app.app_context(), Transport() as transport:
        limit = max(1, min(limit, batch_size()))
        for _round in range(rounds):
            ids, claimed_at = _claim(limit)
            given_back = False
            for position, mail_id in enumerate(ids):
                if utcnow() - claimed_at > _lease() / 2:  # slow: give the rest back before the lease runs out
                    _release(ids[position:], claimed_at)
                    given_back = True
                    break
                try:
                    sent += _deliver(transport, mail_id, claimed_at)
                except _ServerDown as down:
                    # the server cannot be reached: the rest would only wait for the same timeout
                    for rest in ids[position + 1 :]:
                        _record_failure(rest, down.error, claimed_at)
                    return sent
            if len(ids) < limit and not given_back:
                break
    return sent


def batch_size() -> int:
    """The most mails one claim takes: even if each waits the mail server's full timeout, the batch is done
    within half the lease, long before another worker may take its rows over."""
    return max(1, int(_lease().total_seconds() / 2 // SMTP_TIMEOUT))


class _ServerDown(Exception):
    def __init__(self, error: SendError):
        self.error = error


def _max_attempts() -> int:
    return current_app.config.get("MAIL_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("MAIL_CLAIM_LEASE") or DEFAULT_LEASE_SECONDS)


def _due(now):
    return sa.or_(
        sa.and_(OutboxMail.status == OutboxStatus.PENDING.value, OutboxMail.next_attempt_at <= now),
        sa.and_(OutboxMail.status == OutboxStatus.SENDING.value, OutboxMail.claimed_at < now - _lease()),
    )


def _ours(mail_id: int, claimed_at):
    """The row, while it is still claimed by us (no other worker took it over meanwhile)."""
    return sa.and_(
        OutboxMail.id == mail_id,
        OutboxMail.status == OutboxStatus.SENDING.value,
        OutboxMail.claimed_at == claimed_at,
    )


def _claim(limit: int) -> tuple[list[int], object]:
    """Mark up to `limit` due rows as ours, atomically, and commit that before sending anything.

    Returns their ids and the `claimed_at` written: the row stays ours only while it still says that."""
    now = utcnow()
    candidates = (
        sa.select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Picked once, in a CTE kept apart from the UPDATE: as a plain `IN (subquery)` PostgreSQL may run the
        # locking subquery again while updating, and then claims more rows than `limit`.
        picked = candidates.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
        candidates = sa.select(picked.c.id)
    claim = (
        sa.update(OutboxMail)
        .where(OutboxMail.id.in_(candidates.scalar_subquery()), _due(now))
        .values(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=OutboxMail.attempts + 1)
        .returning(OutboxMail.id)
    )
    ids = sorted(db.session.scalars(claim, execution_options={"synchronize_session": False}).all())
    db.session.commit()
    return ids, now


def _release(ids: list[int], claimed_at) -> None:
    """Give claimed rows back unsent (their try does not count), for this or another worker to claim anew."""
    db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.id.in_(ids),
            OutboxMail.status == OutboxStatus.SENDING.value,
            OutboxMail.claimed_at == claimed_at,
        )
        .values(status=OutboxStatus.PENDING.value, claimed_at=None, attempts=OutboxMail.attempts - 1),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _content(row: OutboxMail) -> tuple[str, str] | None:
    """(subject, body) as it goes out now; None when nothing is left to tell."""
    composer = current_app.extensions.get("mail_composers", {}).get(row.kind)
    if composer is None:
        return row.subject, row.body
    return composer(row)


def _deliver(transport: Transport, mail_id: int, claimed_at) -> int:
    row = db.session.get(OutboxMail, mail_id, populate_existing=True)
    if row is None or row.status != OutboxStatus.SENDING.value or row.claimed_at != claimed_at:
        db.session.commit()  # gone, done, or taken over by another worker: not ours to send
        return 0
    if row.attempts > _max_attempts():  # taken over from dead workers again and again: stop
        _fail(row, SendError("sending was interrupted too often"), claimed_at)
        db.session.commit()
        return 0
    try:
        content = _content(row)
    except Exception:  # a composer's bug must not stop the other mails
        current_app.logger.exception("writing mail %s failed", mail_id)
        db.session.rollback()
        _record_failure(mail_id, SendError("the mail could not be written (see the log)"), claimed_at)
        return 0
    if content is None:
        _update_if_ours(row, claimed_at, {"status": OutboxStatus.CANCELLED.value, "body": ""})
        db.session.commit()
        return 0
    subject, body = content
    user = db.session.get(User, row.user_id) if row.user_id else None
    try:
        message, text = build(row, subject, body, user)
    except ValueError as error:  # an address or header no mail can carry: trying again will not help
        _fail(row, SendError(f"the mail could not be made: {error}", permanent=True), claimed_at)
        db.session.commit()
        return 0
    kind, address = row.kind, row.to_address
    still_ours = _update_if_ours(row, claimed_at, {"subject": subject[:300]})
    db.session.commit()  # nothing stays open (or locked) while the mail server answers
    if not still_ours:
        return 0

    try:
        transport.send(message, text, kind)
    except SendError as error:
        current_app.logger.warning("mail %s to %s not sent: %s", mail_id, address, error.text)
        _record_failure(mail_id, error, claimed_at)
        if error.connecting:
            raise _ServerDown(error) from None
        return 0
    _crash_for_test()
    _record_sent(mail_id, claimed_at)
    return 1


def _record_sent(mail_id: int, claimed_at) -> None:
    """Sent: only while the row is still ours (a worker that took it over records its own outcome)."""
    values = {"status": OutboxStatus.SENT.value, "sent_at": utcnow(), "last_error": ""}
    # an account mail may hold a link to reset a password: not kept once sent (the subject stays)
    values["body"] = sa.case((OutboxMail.kind == "system", ""), else_=OutboxMail.body)
    db.session.execute(
        sa.update(OutboxMail).where(_ours(mail_id, claimed_at)).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _record_failure(mail_id: int, error: SendError, claimed_at) -> None:
    row = db.session.get(OutboxMail, mail_id, populate_existing=True)
    if row is not None and row.status == OutboxStatus.SENDING.value and row.claimed_at == claimed_at:
        _fail(row, error, claimed_at)
    db.session.commit()


def _fail(row: OutboxMail, error: SendError, claimed_at) -> None:
    """Try again later with back-off, or give up: after the last attempt, or when trying again cannot help.

    Written only while the row is still ours. An account mail that is given up on loses its body: it may hold
    a link to reset a password or to log in, which must not stay readable in the database."""
    values = {"last_error": error.text[:500]}
    if error.permanent or row.attempts >= _max_attempts():
        values["status"] = OutboxStatus.FAILED.value
        if row.kind == "system":
            values["body"] = ""
    else:
        values["status"] = OutboxStatus.PENDING.value
        values["next_attempt_at"] = utcnow() + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    _update_if_ours(row, claimed_at, values)


def _update_if_ours(row: OutboxMail, claimed_at, values: dict) -> bool:
    """Write `values` to the row only while it is still ours; False when another worker has it now."""
    db.session.expunge(row)  # no unconditional write of the loaded row may follow
    result = db.session.execute(
        sa.update(OutboxMail).where(_ours(row.id, claimed_at)).values(**values),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


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
