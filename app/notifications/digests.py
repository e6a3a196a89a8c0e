"""Daily and weekly digests: one mail per person with what they chose to hear of once a day or once a week.

Two steps, like every mail of the site (app/mail):
1. The scheduled run (`run_daily_digest`, `run_weekly_digest`; the scheduler calls it after claiming its
   (kind, day) in app/jobs/schedule.py, so several servers never queue it twice) finds, per person, the
   notifications of the topics they get daily (or weekly) that were not mailed yet, and queues ONE outbox row
   of kind "digest" per person whose `refs` are those notification ids. It works through the people in
   batches of `BATCH`, each its own transaction, with the same few queries per batch however many people or
   notifications it holds.
2. When the outbox sends the row, `compose_digest(row)` writes the mail in the reader's language from the
   notifications as they are then: what was hidden meanwhile, or a topic switched off meanwhile, is left out,
   and an empty digest is not sent. It marks the notifications mailed. Its queries do not grow with the
   number of events in the digest.

A notification is put in one digest at most: a run skips notifications already mailed and those referenced by
a mail still waiting to go out, and composing the same row again (a retry after a failed send) tells the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from app.issues.models import Issue
from app.mail import deliver_after_commit
from app.mail.message import new_message_id
from app.mail.models import OutboxMail, OutboxStatus
from app.models_common import utcnow
from app.notifications.describe import prepare
from app.notifications.digest_text import DigestEntry, render_digest
from app.notifications.kinds import KINDS, TOPICS
from app.notifications.models import Delivery, Event, Notification, NotificationPreference
from app.notifications.shown import UNFILTERED, event_shown
from app.notifications.unsubscribe import digest_topic
from app.processes.models import Process

# The topics a digest can hold: those events belong to (the moderator summary and the Groene Loper reminder
# are mails of their own, app/notifications/summary.py).
DIGEST_TOPICS: tuple[str, ...] = tuple(dict.fromkeys(kind.topic for kind in KINDS.values()))
DIGEST_KIND = "digest"
BATCH = 500  # people per transaction: short write locks on SQLite, bounded memory
# Outbox rows whose notifications count as "on their way": a new digest leaves those out.
_WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def delivery_sql(topic_column) -> sa.ColumnElement[str]:
    """SQL: the delivery a person chose for a topic, or the topic's default (needs the preference joined)."""
    default = sa.case(
        *((topic_column == key, topic.default.value) for key, topic in TOPICS.items()),
        else_=Delivery.NONE.value,
    )
    return sa.func.coalesce(NotificationPreference.delivery, default)


def _with_choice(stmt, topic_column, user_column):
    """Join each row's preference for its topic (none: the topic's default, see `delivery_sql`)."""
    return stmt.outerjoin(
        NotificationPreference,
        sa.and_(NotificationPreference.user_id == user_column, NotificationPreference.topic == topic_column),
    )


# --- 1. queueing ---------------------------------------------------------------------------------


def run_daily_digest(now: datetime | None = None) -> dict:
    """Queue today's daily digests (the scheduler calls this once per Amsterdam day, after its claim)."""
    return queue_digests(Delivery.DAILY, now)


def run_weekly_digest(now: datetime | None = None) -> dict:
    """Queue this week's weekly digests (the scheduler calls this once a week, after its claim)."""
    return queue_digests(Delivery.WEEKLY, now)


def _due(delivery: Delivery, now: datetime, *columns):
    """Notifications that belong in a digest of this kind: not mailed, of a topic the person gets so."""
    stmt = _with_choice(sa.select(*columns).select_from(Notification), Notification.topic, Notification.user_id)
    return stmt.where(
        Notification.mailed_at.is_(None),
        Notification.created_at <= now,
        Notification.topic.in_(DIGEST_TOPICS),
        delivery_sql(Notification.topic) == delivery.value,
    )


def queue_digests(delivery: Delivery, now: datetime | None = None, batch: int = BATCH) -> dict:
    """Queue one digest row per person with notifications due; commits per batch of people.

    Returns what it did: {"people": mails queued, "notifications": notifications in them}. Five statements per
    batch (people due, their notifications, their mails on the way, their accounts, one insert of the rows).
    """
    now = now or utcnow()
    done = {"people": 0, "notifications": 0}
    after = 0
    while True:
        user_ids = db.session.scalars(
            _due(delivery, now, Notification.user_id)
            .where(Notification.user_id > after)
            .distinct()
            .order_by(Notification.user_id)
            .limit(batch)
        ).all()
        if not user_ids:
            db.session.commit()  # the last look found nothing: end its transaction (SQLite: its write lock)
            break
        first, last = user_ids[0], user_ids[-1]
        per_person: dict[int, list[int]] = {}
        for note_id, user_id in db.session.execute(
            _due(delivery, now, Notification.id, Notification.user_id)
            .where(Notification.user_id.between(first, last))
            .order_by(Notification.user_id, Notification.id)
        ):
            per_person.setdefault(user_id, []).append(note_id)
        on_their_way = _on_their_way(first, last)
        people = db.session.scalars(
            sa.select(User)
            .where(User.id.between(first, last), User.active.is_(True), User.email_verified_at.is_not(None))
            .order_by(User.id)
        ).all()
        mails = []
        for user in people:
            refs = [i for i in per_person.get(user.id, ()) if i not in on_their_way]
            if refs:
                mails.append((user, refs))
                done["notifications"] += len(refs)
        _queue_all(mails, digest_topic(delivery))
        done["people"] += len(mails)
        db.session.commit()
        db.session.expunge_all()  # the batch's people and mails are done with: memory stays flat
        after = last
    return done


def _queue_all(mails: list[tuple[User, list[int]]], topic: str) -> None:
    """`queue_mail(kind="digest", ...)` for a whole batch in one INSERT (the ORM would insert row by row).

    The one-click unsubscribe of the row's topic ("digest_daily") stops every topic the person gets in that
    digest; each topic's own link is in the text.
    """
    if not mails:
        return
    now = utcnow()
    db.session.execute(
        sa.insert(OutboxMail),
        [
            {
                "kind": DIGEST_KIND,
                "user_id": user.id,
                "to_address": user.email,
                "subject": "",
                "body": "",
                "refs": refs,
                "topic": topic,
                "message_id": new_message_id(),
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
            for user, refs in mails
        ],
    )
    deliver_after_commit()


def _on_their_way(first: int, last: int) -> set[int]:
    """Notification ids of these people that a mail still waiting to go out already tells of."""
    found: set[int] = set()
    for refs in db.session.scalars(
        sa.select(OutboxMail.refs).where(
            OutboxMail.user_id.between(first, last),
            OutboxMail.status.in_(_WAITING),
            OutboxMail.kind.in_((DIGEST_KIND, "notification")),
        )
    ):
        found.update(int(i) for i in refs or ())
    return found


# --- 2. composing, when the mail is sent ---------------------------------------------------------------


def compose_digest(row) -> tuple[str, str] | None:
    """The subject and text of a digest row, in its reader's language; None when nothing is left to tell.

    Checks again what may be told (app/notifications/shown.py) and what the person wants by mail now, and
    marks the notifications mailed (those left out too: decided against, so no later digest brings them).
    """
    ids = _ids(row.refs)
    user = db.session.get(User, row.user_id) if row.user_id is not None else None
    if not ids or user is None or not user.active or user.email_verified_at is None:
        return None
    notes = db.session.scalars(
        sa.select(Notification)
        .where(Notification.id.in_(ids), Notification.user_id == user.id)
        .order_by(Notification.id)
        .execution_options(**UNFILTERED)
    ).all()
    choices = _choices(user.id, {n.topic for n in notes})
    wanted = [n for n in notes if choices.get(n.topic, Delivery.NONE) != Delivery.NONE]
    events = _shown_events([n.event_id for n in wanted])
    _mark_mailed([n.id for n in notes])
    entries = [DigestEntry(note, events[note.event_id]) for note in wanted if note.event_id in events]
    if not entries:
        return None
    context = prepare([entry.event for entry in entries])
    languages = current_app.config["LANGUAGES"]
    with force_locale(user.language if user.language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_digest(user, entries, {e.note.topic: choices[e.note.topic] for e in entries}, context)


def _ids(refs) -> list[int]:
    ids = []
    for value in refs or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def _choices(user_id: int, topics: Iterable[str]) -> dict[str, Delivery]:
    topics = [t for t in topics if t in TOPICS]
    rows = dict(
        db.session.execute(
            sa.select(NotificationPreference.topic, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {t: Delivery(rows[t]) if t in rows else TOPICS[t].default for t in topics}


def _mark_mailed(ids: list[int]) -> None:
    if ids:
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(ids), Notification.mailed_at.is_(None))
            .values(mailed_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def _shown_events(event_ids: list[int]) -> dict[int, Event]:
    """Of these events, those that may still be told, with everything their lines name: one query, however
    many there are (each reference is one row at most, so joining them multiplies nothing)."""
    if not event_ids:
        return {}
    stmt = (
        sa.select(Event)
        .where(Event.id.in_(event_ids), event_shown())
        .options(
            joinedload(Event.issue).noload(Issue.domain_rows),  # a line never names the domains
            joinedload(Event.comment),
            joinedload(Event.covenant),
            joinedload(Event.agenda),
            joinedload(Event.membership).joinedload(Membership.organisation).noload(Organisation.sector_rows),
            joinedload(Event.actor),
            joinedload(Event.process).noload(Process.phases),
        )
        .execution_options(**UNFILTERED)
    )
    return {event.id: event for event in db.session.scalars(stmt).unique()}
