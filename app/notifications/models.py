"""Events, the notifications they give each person, and each person's choices per topic."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow


class Delivery(enum.StrEnum):
    INSTANT = "instant"  # a mail as soon as it happens
    DAILY = "daily"  # in the daily digest
    WEEKLY = "weekly"  # in the weekly digest
    NONE = "none"  # only in the site


class Event(db.Model):
    """Something that happened, written in the same transaction as the change itself.

    The references say what it is about; `data` holds the few words that belong to it (a reason, a rationale,
    a version number), as they were at that moment. A rolled-back change leaves no event behind.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    issue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    covenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("covenants.id", ondelete="CASCADE"))
    agenda_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agendas.id", ondelete="CASCADE"))
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User")
    process = relationship("Process")
    issue = relationship("Issue")
    comment = relationship("Comment")
    covenant = relationship("Covenant")
    agenda = relationship("Agenda")
    membership = relationship("Membership")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind}>"


class Notification(db.Model):
    """One person told of one event: in the site at once; by mail as that person chose."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_id"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        sa.Index("ix_notifications_unmailed", "mailed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(sa.String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when it went out by mail (at once or in a digest), or when mail was decided against: never twice.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    user = relationship("User")


class NotificationPreference(db.Model):
    """How a person wants to hear of one topic by mail. No row: the topic's default (app/notifications/kinds.py)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.CheckConstraint(in_check("delivery", [d.value for d in Delivery]), name="delivery_valid"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    delivery: Mapped[str] = mapped_column(sa.String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
