"""Residents waiting for an answer longer than the Groene Loper promises.

The Groene Loper is the municipality's promise that a resident who sends in an issue gets a first answer (a
reaction by the municipality or a partner, `Issue.first_response_at`) within `GROENE_LOPER_DAYS` working days
(app/workdays.py). One place says who waits too long; the morning reminder to the wijkregisseur, the dashboard
and the balance's "residents waiting" signal all ask it, so they never disagree.

Only visible issues count, whoever asks and whether or not inside a request: a hidden issue is never listed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.issues.models import ACTIVE, Issue
from app.issues.visibility import shown
from app.models_common import utcnow
from app.processes.models import Process
from app.workdays import start_of_day, working_days_back, working_days_between


def target_days() -> int:
    """The Groene Loper's target in working days (the setting GROENE_LOPER_DAYS)."""
    return int(current_app.config["GROENE_LOPER_DAYS"])


def overdue_before(now: datetime | None = None, days: int | None = None) -> datetime:
    """Sent in before this moment (UTC) and still without an answer: waiting longer than the target.

    "Longer than N working days" means more than N working days passed since the Amsterdam date it was sent
    in on: with a target of 10, an issue of Monday the 1st is answered in time on Monday the 15th and overdue
    from Tuesday the 16th.
    """
    now = now or utcnow()
    days = target_days() if days is None else days
    last_day = working_days_back(now, days + 1)
    return start_of_day(last_day + timedelta(days=1))


def _waiting(process_id: int | None, now: datetime):
    conditions = [
        Issue.author_was_resident.is_(True),
        shown(Issue),
        Issue.status.in_(ACTIVE),
        Issue.first_response_at.is_(None),
        Issue.created_at < overdue_before(now),
    ]
    if process_id is not None:
        conditions.append(Issue.process_id == process_id)
    return conditions


def waiting_for_answer(
    process_id: int | None = None, limit: int | None = None, offset: int = 0, now: datetime | None = None
) -> tuple[list[tuple[Issue, int]], int]:
    """Residents' issues waiting longer than the target, oldest first, each with its working days waiting,
    and how many there are in all. `limit`/`offset` page through them; each issue has its process loaded.

    One query for the rows and the total together (a second one only for a page past the end).
    """
    now = now or utcnow()
    total_column = sa.func.count().over().label("total")
    stmt = (
        sa.select(Issue, total_column)
        .join(Process, Process.id == Issue.process_id)
        .where(*_waiting(process_id, now))
        .options(contains_eager(Issue.process))
        .order_by(Issue.created_at, Issue.id)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    if rows:
        total = rows[0].total
    elif offset:
        total = count_waiting(process_id, now)
    else:
        total = 0
    return [(issue, working_days_between(issue.created_at, now)) for issue, _total in rows], total


def count_waiting(process_id: int | None = None, now: datetime | None = None) -> int:
    """How many residents wait longer than the target (for a count on a dashboard or a signal)."""
    now = now or utcnow()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Issue).where(*_waiting(process_id, now)))
