"""What the moderation queue and the public log show, in a fixed number of queries per page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, User
from app.extensions import db
from app.issues.models import Comment, Issue, Report
from app.issues.visibility import all_rows
from app.moderation.models import ModerationAction


@dataclass
class Page:
    """The little of Flask-SQLAlchemy's Pagination the pagination macro uses."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class QueueItem:
    target_type: str
    target: Issue | Comment
    issue: Issue
    reports: list[Report] = field(default_factory=list)
    first_at: datetime | None = None


def _with_authors(model):
    return selectinload(model.author).selectinload(User.memberships).selectinload(Membership.organisation)


@all_rows()  # moderators handle hidden and pending contributions (app/issues/visibility.py)
def _load(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], Issue | Comment]:
    issue_ids = [i for t, i in pairs if t == "issue"]
    comment_ids = [i for t, i in pairs if t == "comment"]
    found: dict[tuple[str, int], Issue | Comment] = {}
    if issue_ids:
        for issue in db.session.scalars(
            sa.select(Issue).where(Issue.id.in_(issue_ids)).options(_with_authors(Issue), selectinload(Issue.process))
        ):
            found["issue", issue.id] = issue
    if comment_ids:
        for comment in db.session.scalars(
            sa.select(Comment)
            .where(Comment.id.in_(comment_ids))
            .options(_with_authors(Comment), selectinload(Comment.issue).selectinload(Issue.process))
        ):
            found["comment", comment.id] = comment
    return found


def reported(page: int = 1, per_page: int = 20) -> Page:
    """Contributions with open reports: automatically hidden first, then the most reported, then the oldest."""
    grouped = (
        sa.select(
            Report.target_type,
            Report.target_id,
            sa.func.count().label("n"),
            sa.func.min(Report.created_at).label("first_at"),
        )
        .where(Report.resolved_at.is_(None))
        .group_by(Report.target_type, Report.target_id)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(grouped.subquery()))
    rows = db.session.execute(
        grouped.order_by(sa.desc("n"), sa.asc("first_at"), Report.target_type, Report.target_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    pairs = [(t, i) for t, i, _n, _at in rows]
    targets = _load(pairs)
    reports: dict[tuple[str, int], list[Report]] = {}
    if pairs:
        for report in db.session.scalars(
            sa.select(Report)
            .where(Report.resolved_at.is_(None), sa.tuple_(Report.target_type, Report.target_id).in_(pairs))
            .order_by(Report.created_at)
        ):
            reports.setdefault((report.target_type, report.target_id), []).append(report)
    items = []
    for target_type, target_id, _n, first_at in rows:
        target = targets.get((target_type, target_id))
        if target is None:  # deleted since it was reported
            continue
        issue = target if target_type == "issue" else target.issue
        items.append(QueueItem(target_type, target, issue, reports.get((target_type, target_id), []), first_at))
    items.sort(key=lambda item: item.target.visibility != "auto_hidden")  # stable: keeps the order within
    return Page(items, page, per_page, total)


@all_rows()
def pending(limit: int = 50) -> tuple[list[QueueItem], int]:
    """Contributions of new accounts waiting for a check, oldest first, and how many there are."""
    rows = db.session.execute(
        sa.union_all(
            sa.select(sa.literal("issue").label("t"), Issue.id, Issue.created_at).where(Issue.visibility == "pending"),
            sa.select(sa.literal("comment").label("t"), Comment.id, Comment.created_at).where(
                Comment.visibility == "pending"
            ),
        )
        .order_by(sa.text("created_at"))
        .limit(limit)
    ).all()
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Issue).where(Issue.visibility == "pending")
    ) + db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.visibility == "pending"))
    targets = _load([(t, i) for t, i, _at in rows])
    items = []
    for t, i, at in rows:
        target = targets[t, i]
        items.append(QueueItem(t, target, target if t == "issue" else target.issue, [], at))
    return items, total


def log(page: int = 1, process_id: int | None = None, per_page: int = 30):
    stmt = sa.select(ModerationAction).order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    if process_id:
        stmt = stmt.where(ModerationAction.process_id == process_id)
    return db.paginate(
        stmt.options(selectinload(ModerationAction.issue), selectinload(ModerationAction.process)),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def history_of(target_type: str, target_id: int) -> list[ModerationAction]:
    return db.session.scalars(
        sa.select(ModerationAction)
        .where(ModerationAction.target_type == target_type, ModerationAction.target_id == target_id)
        .order_by(ModerationAction.created_at.desc())
        .limit(50)
    ).all()
