"""What "Mijn pagina" shows of notifications: the latest few with the unread count, and the mail choices.

The notifications, their wording and the preferences page belong to app/notifications; this module reads a
person's latest ones under the same rule as their list (`shown.event_shown`: nothing hidden, pending or
unpublished is told), describes them the same way (`describe.prepare` + `describe`: a fixed number of
queries), and summarises the mail choice per topic. Looking at them here does not mark them read: opening
them on the notifications page does.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.notifications.describe import describe, event_options, prepare
from app.notifications.forms import delivery_label
from app.notifications.inbox import Item, unread_count
from app.notifications.kinds import TOPICS
from app.notifications.models import Event, Notification
from app.notifications.preferences import choices_of
from app.notifications.shown import UNFILTERED, event_shown

LATEST = 5


@dataclass
class Recent:
    unread: int
    latest: list[Item]


def recent(user, limit: int = LATEST) -> Recent:
    """This person's latest notifications that may still be told, each with its line, and the unread count."""
    loaded = selectinload(Notification.event)
    stmt = (
        sa.select(Notification)
        .join(Event, Event.id == Notification.event_id)
        .where(Notification.user_id == user.id, event_shown())
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .options(loaded, *event_options(loaded))
        .execution_options(**UNFILTERED)
    )
    notes = list(db.session.scalars(stmt))
    context = prepare(n.event for n in notes)
    items = [
        Item(n.id, describe(n.event, reader=user, context=context), n.created_at, n.read_at is None) for n in notes
    ]
    return Recent(unread=unread_count(user), latest=items)


@dataclass
class MailChoice:
    topic: str
    label: str
    delivery: str  # how it comes, in words


def mail_choices(user) -> list[MailChoice]:
    """Each topic this person may choose, with how its mail comes (their choice or the default): one query."""
    return [
        MailChoice(key, str(TOPICS[key].label), str(delivery_label(TOPICS[key], delivery)))
        for key, delivery in choices_of(user).items()
    ]
