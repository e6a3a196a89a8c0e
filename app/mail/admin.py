"""What the administrator sees of the outbox, and sending a failed mail again."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.extensions import db
from app.mail.models import OutboxMail, OutboxStatus
from app.mail.queueing import deliver_after_commit
from app.models_common import utcnow

OLDEST_PENDING = 20

STATUS_LABELS = {
    OutboxStatus.PENDING.value: _l("Waiting to be sent"),
    OutboxStatus.SENDING.value: _l("Being sent"),
    OutboxStatus.SENT.value: _l("Sent"),
    OutboxStatus.FAILED.value: _l("Failed"),
    OutboxStatus.CANCELLED.value: _l("Not sent: no longer needed"),
}


def status_counts() -> dict[str, int]:
    """How many mails are in each state (every state, zero included)."""
    counts = dict(db.session.execute(sa.select(OutboxMail.status, sa.func.count()).group_by(OutboxMail.status)).all())
    return {status.value: counts.get(status.value, 0) for status in OutboxStatus}


def failed_mails():
    """The mails given up on, newest first (a query for `db.paginate`)."""
    return (
        sa.select(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.FAILED.value)
        .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
    )


def oldest_waiting(limit: int = OLDEST_PENDING) -> list[OutboxMail]:
    """The mails waiting longest (for a retry, or for a worker): what is stuck shows here first."""
    waiting = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)
    return db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.status.in_(waiting))
        .order_by(OutboxMail.created_at, OutboxMail.id)
        .limit(limit)
    ).all()


def _again(mail: OutboxMail) -> None:
    mail.status = OutboxStatus.PENDING.value
    mail.attempts = 0  # a full set of tries again: the administrator fixed something, or expects it fixed
    mail.next_attempt_at = utcnow()
    mail.claimed_at = None


def send_again(mail: OutboxMail) -> None:
    """Put one failed mail back in line; it goes out after the commit."""
    if mail.status != OutboxStatus.FAILED.value:
        raise DomainError(_("Only a mail that failed can be sent again."))
    _again(mail)
    deliver_after_commit()


def send_all_failed_again() -> int:
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.status == OutboxStatus.FAILED.value)).all()
    for mail in mails:
        _again(mail)
    if mails:
        deliver_after_commit()
    return len(mails)
