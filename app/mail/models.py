"""The outbox: every mail the site sends is a row here first, written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent (again, after a failure: see next_attempt_at)
    SENDING = "sending"  # claimed by a worker; a claim older than the lease is taken over
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry: shown to the administrator
    CANCELLED = "cancelled"  # no longer to be sent: hidden meanwhile, or the person chose otherwise


class OutboxMail(db.Model):
    """One mail to one address.

    SMTP cannot promise exactly once: a mail is sent at least once, and its Message-ID is fixed per row, so a
    resend after a worker died between sending and recording is collapsed by mail clients.
    """

    __tablename__ = "outbox_mails"
    __table_args__ = (
        sa.CheckConstraint(in_check("status", [s.value for s in OutboxStatus]), name="status_valid"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # system (account mails), moderation, covenant, notification, digest, summary, reminder
    kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    # Emptied once sent: a link to reset a password must not stay readable in the database.
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # For notification mails and digests: the notification ids it tells of, checked again when sent.
    refs: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The preference topic the one-click unsubscribe link switches off (none for account mails).
    topic: Mapped[str | None] = mapped_column(sa.String(30))
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
