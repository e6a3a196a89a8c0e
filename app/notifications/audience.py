"""Who is told of an event: the one place that decides.

`fan_out(event)` runs inside `events.record`, in the transaction of the change itself, so a rolled-back change
leaves neither notification nor mail. It
1. tells nobody when what the event is about cannot be seen by everyone (app/notifications/shown.py);
2. finds the people the kind's rule names (below), as one SQL query, never the actor themself, and only
   active accounts whose address is confirmed;
3. inserts one notification per person in one statement;
4. queues a mail for each person who wants this topic at once (`queue_mail`, composed when it is sent, when
   visibility and the person's choice are checked again); for those who want no mail it is marked as
   decided, and daily or weekly readers get it in their digest.

"At once" is not one mail per event: a busy issue (every answer reaches its author, followers and supporters)
would flood them. A mail waits NOTIFICATION_MAIL_DELAY (2 minutes) before it goes, and while it waits (pending,
not yet claimed by a worker) a new notification of the same topic for the same person joins it (its `refs`):
one mail then tells of several things (app/notifications/mails.py writes one line for each).

Who hears of what:
- a reaction on an issue: its author; an answer by a partner or the municipality: its author, followers and
  supporters, and when placed under a reaction, that reaction's author; a reply: the author of the reaction
  answered and the issue's author;
- a decision on an issue (chosen, merged, not chosen, reopened, withdrawn, feedback): its author, followers and
  supporters;
- a consent round or objection: the working group of the agenda's issue (residents admitted to it, approved
  partners and the municipality's roles, as app/agendas/services.py `is_member` says); an answered objection
  also its objector;
- a covenant: everyone who may sign for one of its parties or signed it, and the approved members of its
  parties (the wethouder for the municipality);
- a membership: the member; a request to join a working group, decided: the resident who asked.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app.accounts.models import Membership, MembershipStatus, Role, User
from app.agendas.models import ConsentAnswer, MemberStatus, WorkingGroupMember
from app.covenants.models import MUNICIPALITY, CovenantParty, Signature
from app.extensions import db
from app.issues.models import Comment, Follow, Issue, Support
from app.models_common import utcnow
from app.notifications.kinds import KINDS, TOPICS
from app.notifications.models import Delivery, Event, Notification, NotificationPreference
from app.notifications.shown import UNFILTERED, is_shown

ISSUE_PEOPLE = (
    "issue_answered",
    "issue_shortlisted",
    "issue_merged",
    "issue_declined",
    "issue_feedback",
    "issue_reopened",
    "issue_withdrawn",
)
WORKING_GROUP = ("consent_opened", "objection_raised", "objection_answered")
# Roles that belong to every working group (app/agendas/services.py is_member).
GROUP_ROLES = (Role.WIJKREGISSEUR.value, Role.FACILITATOR.value, Role.WETHOUDER.value)
# Inside the rules' subqueries: not the outer query's users (no correlation between the two).
_PERSON = aliased(User)
DEFAULT_MAIL_DELAY = 120  # seconds an instant mail waits for more of the same (NOTIFICATION_MAIL_DELAY)
MOST_PER_MAIL = 50  # notifications one mail tells of; more start a new mail


def fan_out(event: Event) -> list[Notification]:
    """Create the notifications (and instant mails) for `event`, in the current transaction."""
    if not is_shown(event.id):
        return []
    parts = _recipients(event)
    if not parts:
        return []
    who = parts[0] if len(parts) == 1 else sa.union(*parts)
    topic = KINDS[event.kind].topic
    stmt = (
        sa.select(User, NotificationPreference.delivery)
        .outerjoin(
            NotificationPreference,
            sa.and_(NotificationPreference.user_id == User.id, NotificationPreference.topic == topic),
        )
        .where(User.id.in_(who), User.active.is_(True), User.email_verified_at.is_not(None))
        .order_by(User.id)
        .execution_options(**UNFILTERED)
    )
    if event.actor_id is not None:
        stmt = stmt.where(User.id != event.actor_id)
    people = db.session.execute(stmt).tuples().all()
    if not people:
        return []

    now = utcnow()
    default = TOPICS[topic].default
    delivery = {user.id: Delivery(chosen) if chosen else default for user, chosen in people}
    rows = [
        {
            "user_id": user.id,
            "event_id": event.id,
            "topic": topic,
            "created_at": now,
            # no mail wanted: decided now, so no digest picks it up later
            "mailed_at": now if delivery[user.id] is Delivery.NONE else None,
        }
        for user, _chosen in people
    ]
    notifications = list(db.session.scalars(sa.insert(Notification).returning(Notification), rows))

    instant = [note for note in notifications if delivery[note.user_id] is Delivery.INSTANT]
    if instant:
        _queue_mails(instant, {user.id: user for user, _chosen in people}, topic)
    return notifications


def _queue_mails(notes: list[Notification], by_user: dict[int, User], topic: str) -> None:
    """One mail per person: added to the mail of this topic still waiting for them, or a new one that waits
    NOTIFICATION_MAIL_DELAY for more."""
    from app.mail import queue_mail
    from app.mail.models import OutboxMail, OutboxStatus

    waiting = (
        sa.select(OutboxMail)
        .where(
            OutboxMail.kind == "notification",
            OutboxMail.status == OutboxStatus.PENDING.value,
            OutboxMail.attempts == 0,  # not one waiting to be tried again: that may take hours
            OutboxMail.topic == topic,
            OutboxMail.user_id.in_([note.user_id for note in notes]),
        )
        .order_by(OutboxMail.id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # a worker claiming one of them right now has it locked: skip it and start a new mail instead
        waiting = waiting.with_for_update(skip_locked=True)
    open_mail = {}
    for row in db.session.scalars(waiting):
        if len(row.refs or ()) < MOST_PER_MAIL:
            open_mail.setdefault(row.user_id, row)
    delay = current_app.config.get("NOTIFICATION_MAIL_DELAY", DEFAULT_MAIL_DELAY)
    for note in notes:
        row = open_mail.get(note.user_id)
        if row is not None:
            row.refs = [*row.refs, note.id]  # a new list: the JSON column sees the change
            continue
        user = by_user[note.user_id]
        row = queue_mail(kind="notification", to=user.email, user=user, refs=[note.id], topic=topic)
        if delay:
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        open_mail[note.user_id] = row


# --- the rules -------------------------------------------------------------------------------------


def _recipients(event: Event) -> list[sa.Select]:
    """SELECTs of the user ids the kind's rule names (before removing the actor and closed accounts)."""
    kind = event.kind
    if kind == "issue_reaction":
        return [_issue_author(event.issue_id)]
    if kind in ISSUE_PEOPLE:
        people = [_issue_author(event.issue_id), _followers(event.issue_id), _supporters(event.issue_id)]
        if kind == "issue_answered" and event.data.get("reply_to"):
            people.append(_reply_to(event))  # an answer placed under someone's reaction: they hear of it too
        return people
    if kind == "comment_reply":
        # the author of the reaction answered, and the issue's author (reactions on their issue); the union
        # below names each person once, so one who is both gets one notification
        return [_reply_to(event), _issue_author(event.issue_id)]
    if kind in WORKING_GROUP:
        group = _working_group(event.issue_id)
        if kind == "objection_answered" and event.data.get("answer_id"):
            group.append(sa.select(ConsentAnswer.user_id).where(ConsentAnswer.id == _int(event.data["answer_id"])))
        return group
    if kind.startswith("covenant_"):
        return _covenant_people(event.covenant_id)
    if kind.startswith("membership_"):
        return [sa.select(Membership.user_id).where(Membership.id == event.membership_id)]
    if kind.startswith("working_group_"):  # the resident who asked to join
        return [sa.select(_PERSON.id).where(_PERSON.id == _int(event.data.get("user_id")))]
    return []


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _issue_author(issue_id: int) -> sa.Select:
    return sa.select(Issue.author_id).where(Issue.id == issue_id, Issue.author_id.is_not(None))


def _followers(issue_id: int) -> sa.Select:
    return sa.select(Follow.user_id).where(Follow.issue_id == issue_id)


def _supporters(issue_id: int) -> sa.Select:
    return sa.select(Support.user_id).where(Support.issue_id == issue_id)


def _reply_to(event: Event) -> sa.Select:
    """The author of the reaction answered: the one named in the event's data (a reply to a reply joins its
    thread, app/issues/services.py add_comment), else the thread's first reaction."""
    answered = _int(event.data.get("reply_to"))
    if answered:
        return sa.select(Comment.author_id).where(Comment.id == answered, Comment.author_id.is_not(None))
    parent = sa.select(Comment.parent_id).where(Comment.id == event.comment_id).scalar_subquery()
    return sa.select(Comment.author_id).where(Comment.id == parent, Comment.author_id.is_not(None))


def _working_group(issue_id: int) -> list[sa.Select]:
    admitted = sa.select(WorkingGroupMember.user_id).where(
        WorkingGroupMember.issue_id == issue_id, WorkingGroupMember.status == MemberStatus.ADMITTED.value
    )
    partners = (
        sa.select(Membership.user_id)
        .join(_PERSON, _PERSON.id == Membership.user_id)
        .where(Membership.status == MembershipStatus.APPROVED.value, _PERSON.role == Role.PARTNER.value)
    )
    municipality = sa.select(_PERSON.id).where(_PERSON.role.in_(GROUP_ROLES))
    return [admitted, partners, municipality]


def _covenant_people(covenant_id: int) -> list[sa.Select]:
    parties = sa.select(CovenantParty.organisation_id).where(
        CovenantParty.covenant_id == covenant_id,
        CovenantParty.removed.is_(False),
        CovenantParty.organisation_id.is_not(None),
    )
    members = sa.select(Membership.user_id).where(
        Membership.organisation_id.in_(parties), Membership.status == MembershipStatus.APPROVED.value
    )
    has_municipality = sa.exists().where(
        CovenantParty.covenant_id == covenant_id, CovenantParty.party == MUNICIPALITY, CovenantParty.removed.is_(False)
    )
    wethouder = sa.select(_PERSON.id).where(_PERSON.role == Role.WETHOUDER.value, has_municipality)
    signed = sa.select(Signature.user_id).where(Signature.covenant_id == covenant_id, Signature.user_id.is_not(None))
    return [members, wethouder, signed]
