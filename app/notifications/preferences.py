"""How each person wants to hear of each topic by mail: at once, in a daily or weekly digest, or not.

A person without a row for a topic gets the topic's default (app/notifications/kinds.py). Whatever they
choose, every notification stays in the site's list; the choice is only about mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models_common import utcnow
from app.notifications.kinds import TOPICS, topics_for
from app.notifications.models import Delivery, NotificationPreference


def _default(topic: str) -> Delivery:
    return TOPICS[topic].default


def delivery_for(user, topic: str) -> Delivery:
    """This person's choice for this topic, or the topic's default."""
    return deliveries_for([user.id], topic).get(user.id, _default(topic))


def deliveries_for(user_ids: Iterable[int], topic: str) -> dict[int, Delivery]:
    """Each person's choice for one topic, in one query (the default for those without a row)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    found = dict(
        db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                NotificationPreference.user_id.in_(ids), NotificationPreference.topic == topic
            )
        )
        .tuples()
        .all()
    )
    default = _default(topic)
    return {i: Delivery(found[i]) if i in found else default for i in ids}


def choices_of(user) -> dict[str, Delivery]:
    """Every topic this person may choose, with their choice or its default (one query)."""
    rows = dict(
        db.session.execute(
            sa.select(NotificationPreference.topic, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        )
        .tuples()
        .all()
    )
    return {t.key: Delivery(rows[t.key]) if t.key in rows else t.default for t in topics_for(user.role)}


def in_digest(user, delivery: Delivery) -> list:
    """The topics (kinds.Topic) this person now gets in the daily or the weekly digest, in the order of the
    preferences page: what that digest's stop link switches off. The morning mails (moderation summary,
    Groene Loper reminder) are mails of their own, with their own stop link, and are not among them."""
    return [TOPICS[key] for key, chosen in choices_of(user).items() if chosen == delivery and not TOPICS[key].morning]


def topics_of(user) -> list:
    """The topics this person may choose (moderator summaries only for moderators)."""
    return topics_for(user.role)


def set_delivery(user, topic: str, delivery: Delivery | str) -> None:
    """Store one choice (an unknown topic or delivery is a programming error: ValueError)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    value = Delivery(delivery).value
    key = (user.id, topic)
    row = db.session.get(NotificationPreference, key)
    if row is None:
        try:
            with db.session.begin_nested():  # the same page saved twice at once: the second one updates
                db.session.add(NotificationPreference(user_id=user.id, topic=topic, delivery=value))
                db.session.flush()
            return
        except IntegrityError:
            row = db.session.get(NotificationPreference, key, populate_existing=True)
    if row.delivery != value:
        row.delivery = value
        row.updated_at = utcnow()
        db.session.flush()


def save_choices(user, choices: Mapping[str, str], language: str | None = None) -> None:
    """The preferences page: every topic this person may choose, and the language of their mails."""
    allowed = {t.key for t in topics_for(user.role)}
    for topic, delivery in choices.items():
        if topic not in allowed:
            raise ValueError(f"topic {topic!r} is not for this person")
        set_delivery(user, topic, delivery)
    if language is not None:
        set_language(user, language)


def set_language(user, language: str) -> bool:
    """Remember the person's language (mails and digests are written in it). False for an unknown one."""
    if language not in current_app.config["LANGUAGES"]:
        return False
    if user.language != language:
        user.language = language
    return True
