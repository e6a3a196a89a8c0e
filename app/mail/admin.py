"""What the administrator sees of the outbox, and sending a failed mail again.

An account mail (kind "system": a link to choose a password, to log in or to confirm an address, or a
moderator's notice) is never sent again from here. Its body is emptied once it fails, because the link in it
must not stay readable in the database, and by the time the administrator acts such a link no longer works
anyway (PASSWORD_RESET_MAX_AGE). Sending it again would deliver an empty or dead mail: it is taken off the
list instead ("cancelled", with the reason as its last error), and the person can ask for a new link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.extensions import db
from app.mail.models import OutboxMail, OutboxStatus
from app.mail.queueing import deliver_after_commit
from app.models_common import utcnow

OLDEST_PENDING = 20
NOT_SENT_AGAIN = "not sent again: an account mail's link is not kept, and it no longer works; ask for a new one"

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


def can_send_again(mail: OutboxMail) -> bool:
    """Whether sending this failed mail again delivers what it should (see the module's docstring)."""
    if mail.kind != "system":
        return True
    max_age = timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"])
    return bool(mail.body) and mail.created_at > utcnow() - max_age  # only one failed before bodies were emptied


def _cancel(mail: OutboxMail) -> None:
    mail.status, mail.body, mail.last_error = OutboxStatus.CANCELLED.value, "", NOT_SENT_AGAIN


def send_again(mail: OutboxMail) -> None:
    """Put one failed mail back in line; it goes out after the commit. An account mail whose link is gone is
    taken off the list instead: DomainError says so (the change stands once committed)."""
    if mail.status != OutboxStatus.FAILED.value:
        raise DomainError(_("Only a mail that failed can be sent again."))
    if not can_send_again(mail):
        _cancel(mail)
        raise DomainError(
            _(
                "The mail to %(address)s is not sent again: the link in it no longer works. It is taken off the"
                " list. The person can ask for a new link.",
                address=mail.to_address,
            )
        )
    _again(mail)
    deliver_after_commit()


@dataclass
class SentAgain:
    sent: int  # back in line
    cancelled: int  # account mails whose link is gone: taken off the list


def send_all_failed_again() -> SentAgain:
    mails = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.status == OutboxStatus.FAILED.value)).all()
    result = SentAgain(0, 0)
    for mail in mails:
        if can_send_again(mail):
            _again(mail)
            result.sent += 1
        else:
            _cancel(mail)
            result.cancelled += 1
    if result.sent:
        deliver_after_commit()
    return result
