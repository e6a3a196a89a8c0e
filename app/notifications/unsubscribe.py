"""One-click unsubscribe: a signed link in every mail about a topic switches that topic's mail off.

The link carries a token: the person's id and the topic, signed with the site's secret key (itsdangerous,
salt "unsubscribe", HMAC-SHA256). Nobody can make or change one without the key, so the token itself is the
permission: it works without signing in (RFC 8058: a mail client POSTs it without a session, and so without
a CSRF token) and only ever turns mail off. It does not expire: an old mail's link keeps working.

Topics are the keys of `kinds.TOPICS`, plus `digest_daily` and `digest_weekly` for the digests: stopping a
digest switches off mail for every topic that the person gets in that digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.extensions import db
from app.mail.models import OutboxMail, OutboxStatus
from app.models_common import utcnow
from app.notifications.kinds import TOPICS, topics_for
from app.notifications.models import Delivery, NotificationPreference
from app.urls import absolute_url

SALT = "unsubscribe"

# The digests' topics (the topic of a digest's outbox row), and which deliveries they gather.
DIGEST_TOPICS = {"digest_daily": Delivery.DAILY, "digest_weekly": Delivery.WEEKLY}
DIGEST_LABELS = {"digest_daily": _l("Daily summary by e-mail"), "digest_weekly": _l("Weekly summary by e-mail")}


def digest_topic(delivery: Delivery) -> str:
    """The topic a digest's outbox row carries, e.g. `digest_topic(Delivery.DAILY)` -> "digest_daily"."""
    return f"digest_{Delivery(delivery).value}"


def topic_label(topic: str) -> str:
    if topic in TOPICS:
        return str(TOPICS[topic].label)
    return str(DIGEST_LABELS.get(topic, topic))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(
        current_app.config["SECRET_KEY"], salt=SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


def make_token(user_id: int, topic: str) -> str:
    return _serializer().dumps([user_id, topic])


def unsubscribe_url(user_id: int, topic: str) -> str:
    return absolute_url("unsubscribe.page", token=make_token(user_id, topic))


@dataclass(frozen=True)
class Subscription:
    """What a valid token stands for: this person's mail about this topic."""

    user: User
    topic: str

    @property
    def label(self) -> str:
        return topic_label(self.topic)

    @property
    def is_digest(self) -> bool:
        return self.topic in DIGEST_TOPICS


def subscription_for(token: str) -> Subscription | None:
    """The subscription a token stands for; None for a forged, changed or outdated token."""
    try:
        payload = _serializer().loads(token)
    except BadData:
        return None
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    user_id, topic = payload
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(topic, str):
        return None
    if topic not in TOPICS and topic not in DIGEST_TOPICS:
        return None  # a topic that no longer exists
    user = db.session.get(User, user_id)
    return Subscription(user, topic) if user is not None else None


def _deliveries(user: User) -> dict[str, str]:
    """How this person gets each topic they may choose: their choice, else the topic's default."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.topic, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {t.key: chosen.get(t.key, t.default.value) for t in topics_for(user.role)}


def is_subscribed(subscription: Subscription) -> bool:
    """Whether mail of this kind still reaches the person."""
    deliveries = _deliveries(subscription.user)
    if subscription.is_digest:
        gathered = DIGEST_TOPICS[subscription.topic].value
        return any(chosen == gathered for key, chosen in deliveries.items() if not TOPICS[key].morning)
    return deliveries.get(subscription.topic, Delivery.NONE.value) != Delivery.NONE.value


def unsubscribe(subscription: Subscription) -> list[str]:
    """Switch the mail off (idempotent) and cancel what waits in the outbox. Returns the topics switched off.

    Notifications keep appearing in the site; only the mail stops.
    """
    user = subscription.user
    if subscription.is_digest:
        gathered = DIGEST_TOPICS[subscription.topic].value
        # the topics in that digest: the morning mails are mails of their own, with their own stop link
        topics = [
            key for key, delivery in _deliveries(user).items() if delivery == gathered and not TOPICS[key].morning
        ]
    else:
        topics = [subscription.topic]
    for topic in topics:
        _set_none(user.id, topic)
    db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.user_id == user.id,
            OutboxMail.topic.in_([subscription.topic, *topics]),
            OutboxMail.status == OutboxStatus.PENDING.value,
        )
        .values(status=OutboxStatus.CANCELLED.value, body=""),
        execution_options={"synchronize_session": False},
    )
    return topics


def _set_none(user_id: int, topic: str) -> None:
    values = {"user_id": user_id, "topic": topic, "delivery": Delivery.NONE.value}
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    # One statement: two clicks at once (a mail client and its person) both end with "none", neither fails.
    statement = dialect.insert(NotificationPreference).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "topic"], set_={"delivery": Delivery.NONE.value, "updated_at": utcnow()}
    )
    db.session.execute(statement)
