"""Putting mail in the outbox, in the transaction that causes it; delivery starts once that commits.

A rolled-back change leaves no mail behind (its rows go with it), and a mail is never sent for a change
that did not happen. After the commit, delivery is handed to the job queue (`app.jobs.queue`: the Redis
worker, or the web process when no Redis is configured); in tests it runs at once, right after the commit.
"""

from __future__ import annotations

from app.extensions import db
from app.jobs.queue import enqueue_after_commit
from app.mail.message import new_message_id
from app.mail.models import OutboxMail, OutboxStatus
from app.mail.sender import deliver_due
from app.models_common import utcnow

_KICK = "mail_deliver_after_commit"


def queue_mail(*, kind: str, to: str, subject: str = "", body: str = "", user=None, refs=(), topic=None) -> OutboxMail:
    """Add one mail to the outbox in the current transaction, and deliver it after the commit.

    kind: "system" (account mails), "moderation", "covenant", "notification", "digest", "summary", "reminder".
    Notification and digest rows are written when sent, from `refs` (notification ids): leave subject and
    body empty. `topic` is what the one-click unsubscribe link switches off (a key of
    app/notifications/kinds.py's TOPICS, or "digest_daily"/"digest_weekly"); None for account mails.
    `user` (a User or an id) is the recipient, needed for that link and for the mail's language.
    """
    user_id = getattr(user, "id", user)
    if user is not None and user_id is None:  # a new account, not flushed yet
        db.session.flush()
        user_id = user.id
    row = OutboxMail(
        kind=kind,
        user_id=user_id,
        to_address=to,
        subject=subject[:300],
        body=body,
        refs=[int(ref) for ref in refs],
        topic=topic,
        message_id=new_message_id(),
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    deliver_after_commit()
    return row


def send_mail(to: str, subject: str, body: str) -> None:
    """An account mail (a reset link, a confirmation): queued on the current transaction, sent after its commit.

    Never raises for a mail server's trouble, and neither its timing nor its errors show in the answer: the
    mail server is only spoken to after the commit, outside the request when there is a job queue.
    """
    queue_mail(kind="system", to=to, subject=subject, body=body)


def send_after_commit(to: str, subject: str, body: str) -> None:
    """The same as `send_mail` (the name older callers use): sent after the commit, dropped on a rollback.

    A moderator's action and the mail telling the author about it then never disagree.
    """
    queue_mail(kind="system", to=to, subject=subject, body=body)


def deliver_after_commit() -> None:
    """Start delivery once the current transaction commits (once per transaction, however many mails).

    A job (app/jobs/queue.py): on the Redis worker, else in a thread of the web process, at once in tests.
    So the request never waits for the mail server, and neither its timing nor its errors show in the answer.
    """
    session = db.session()
    if session.info.get(_KICK):
        return
    session.info[_KICK] = True
    enqueue_after_commit(deliver_due)


def _forget(session) -> None:
    session.info.pop(_KICK, None)


def set_composers(app, composers: dict) -> None:
    """Mails of these kinds are written when they are sent: kind -> compose(row) -> (subject, body) or None."""
    app.extensions["mail_composers"] = dict(composers)


def register(app) -> None:
    """Install the session hooks (global listeners, once): a new transaction queues delivery anew."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_commit", _forget):
        sa.event.listen(Session, "after_commit", _forget)
        sa.event.listen(Session, "after_rollback", _forget)
