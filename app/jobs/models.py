"""Scheduled runs claimed in the database, so that several servers never do a daily run twice."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_common import UTCDateTime, utcnow


class ScheduledRun(db.Model):
    """One (kind, day) run, e.g. ("digest_daily", 2026-12-07): the first server to insert it does the work."""

    __tablename__ = "scheduled_runs"

    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)  # in Europe/Amsterdam
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str] = mapped_column(sa.String(120), default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(sa.String(500), default="")
