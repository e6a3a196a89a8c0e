"""A person's notifications in the site: the list, the count of unread ones, marking them read.

Only notifications whose event may still be told are listed or counted (app/notifications/shown.py): an
issue hidden after the event disappears from the list and the count at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models_common import utcnow
from app.notifications.describe import Line, describe, event_options, prepare
from app.notifications.models import Event, Notification
from app.notifications.shown import UNFILTERED, event_shown

PER_PAGE = 20


def _mine(user_id: int) -> sa.Select:
    return (
        sa.select(Notification)
        .join(Event, Event.id == Notification.event_id)
        .where(Notification.user_id == user_id, event_shown())
        .execution_options(**UNFILTERED)
    )


def unread_count(user, cap: int | None = None) -> int:
    """How many unread notifications this person has (one COUNT on the (user_id, read_at) index).

    `cap`: count no further than this (the header says "99+"), so someone who never reads pays no more."""
    unread = (
        sa.select(Notification.id)
        .join(Event, Event.id == Notification.event_id)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), event_shown())
    )
    if cap is not None:
        unread = unread.limit(cap)
    stmt = sa.select(sa.func.count()).select_from(unread.subquery()).execution_options(**UNFILTERED)
    return db.session.scalar(stmt) or 0


@dataclass(frozen=True)
class Item:
    id: int
    line: Line
    created_at: object
    unread: bool


def page_of(user, page: int | None = None):
    """One page of this person's notifications, newest first, each with its line in the current language."""
    stmt = (
        _mine(user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .options(selectinload(Notification.event), *event_options(selectinload(Notification.event)))
    )
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE)
    notes = list(pagination.items)
    context = prepare(n.event for n in notes)
    items = [
        Item(n.id, describe(n.event, reader=user, context=context), n.created_at, n.read_at is None) for n in notes
    ]
    return pagination, items


def shown_of(user, ids) -> list[Notification]:
    """These notifications of this person whose event may still be told, newest first, ready to describe."""
    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        return []
    stmt = (
        _mine(user.id)
        .where(Notification.id.in_(ids))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .options(selectinload(Notification.event), *event_options(selectinload(Notification.event)))
    )
    return list(db.session.scalars(stmt))


def mark_read(user, ids) -> int:
    """Mark these of the person's notifications read (others' ids are ignored). Returns how many changed."""
    ids = [int(i) for i in ids]
    if not ids:
        return 0
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.id.in_(ids), Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def mark_all_read(user) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
