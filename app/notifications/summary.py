"""Two morning mails for the people who keep the platform going.

- The moderator summary (topic ``moderation_summary``): how many contributions have open reports, how many
  wait for a check (new participants' contributions and changes to checked ones) and how many requests to
  represent an organisation wait, each with the link to the work. Each person gets only the counts the policy
  lets them act on (app/policy.py); nothing is sent when all of those are zero.
- The Groene Loper reminder (topic ``waiting_reminder``): the residents waiting longer than the target for a
  first answer (app/issues/waiting.py), oldest first, with their working days and links. Nothing is sent when
  nobody waits, nor on a weekend or a holiday (the working days did not move since the last one).

The texts are written when queued, in each reader's language, as outbox rows of kind "summary" and
"reminder"; the outbox adds the one-click link that switches their topic off, and the preferences link.
Whoever chose a digest (daily or weekly) or "at once" for these topics gets them every morning; "none" stops
them. The scheduler runs them once per Amsterdam day, after claiming the (kind, day) in app/jobs/schedule.py.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _

from app.accounts.models import User
from app.extensions import db
from app.issues.waiting import target_days, waiting_for_answer
from app.models_common import utcnow
from app.notifications.kinds import TOPICS
from app.notifications.mails import language_of
from app.notifications.models import Delivery, NotificationPreference
from app.policy import can
from app.urls import absolute_url
from app.workdays import is_working_day, today

SUMMARY_TOPIC = "moderation_summary"
REMINDER_TOPIC = "waiting_reminder"
REMINDER_LIMIT = 50  # residents listed in one reminder; the rest are counted, with a link to the overview


def recipients(topic: str) -> list[User]:
    """Active people with a confirmed address, of the roles the topic is for, who did not switch it off."""
    spec = TOPICS[topic]
    choice = sa.func.coalesce(NotificationPreference.delivery, spec.default.value)
    stmt = (
        sa.select(User)
        .outerjoin(
            NotificationPreference,
            sa.and_(NotificationPreference.user_id == User.id, NotificationPreference.topic == topic),
        )
        .where(User.active.is_(True), User.email_verified_at.is_not(None), choice != Delivery.NONE.value)
        .order_by(User.id)
    )
    if spec.roles is not None:
        stmt = stmt.where(User.role.in_(spec.roles))
    return list(db.session.scalars(stmt))


# --- the moderator summary ---------------------------------------------------------------------------


def _work_waiting() -> dict[str, int]:
    """What waits, counted once for everyone (the same counts as the work overview, app/dashboard)."""
    from app.dashboard.services import memberships_waiting, moderation_counts

    counts = moderation_counts()
    return {
        "reports": counts.reports,
        "pending": counts.pending,
        "held": counts.held,
        "memberships": memberships_waiting(),
    }


# (key, the rule that lets someone act on it, the place of the work: endpoint and its values, as the work
# overview's links have them: app/templates/dashboard/_counts.html)
_WORK = (
    ("reports", "moderation.act", ("moderation.index", {"_anchor": "reported-title"})),
    ("pending", "moderation.act", ("moderation.index", {"_anchor": "pending-title"})),
    ("held", "moderation.act", ("moderation.index", {"_anchor": "changes"})),
    ("memberships", "membership.decide", ("admin.memberships", {"status": "pending"})),
)


def _work_label(key: str, n: int) -> str:
    """One line of the body: the words of the work overview, so mail and page name the work alike."""
    if key == "reports":
        return ngettext("%(num)d reported contribution", "%(num)d reported contributions", n)
    if key == "pending":
        return ngettext(
            "%(num)d contribution of a new account to check", "%(num)d contributions of new accounts to check", n
        )
    if key == "held":
        return ngettext(
            "%(num)d change to a checked contribution to check", "%(num)d changes to checked contributions to check", n
        )
    return ngettext("%(num)d request to represent an organisation", "%(num)d requests to represent an organisation", n)


def _subject_part(key: str, n: int) -> str:
    """What waits, short enough for a subject line."""
    if key == "reports":
        return ngettext("%(num)d reported contribution", "%(num)d reported contributions", n)
    if key == "pending":
        return ngettext("%(num)d contribution of a new account", "%(num)d contributions of new accounts", n)
    if key == "held":
        return ngettext("%(num)d changed contribution", "%(num)d changed contributions", n)
    return ngettext("%(num)d membership", "%(num)d memberships", n)


def summary_subject(mine: list[tuple[str, int]]) -> str:
    """E.g. "3 reported contributions and 2 memberships wait for you", in the current language."""
    things = format_list([_subject_part(key, n) for key, n in mine], locale=str(get_locale()))
    waiting = sum(n for _key, n in mine)
    return ngettext("%(things)s waits for you", "%(things)s wait for you", waiting, things=things)


def summary_text(user, counts: dict[str, int]) -> tuple[str, str] | None:
    """(subject, body) of one person's summary in the current language; None when nothing waits for them."""
    mine = [(key, counts[key], place) for key, rule, place in _WORK if counts[key] and can(user, rule)]
    if not mine:
        return None
    subject = summary_subject([(key, n) for key, n, _place in mine])
    lines = [_("Hello %(name)s,", name=user.display_name), "", _("This is what waits for you this morning:"), ""]
    for key, n, (endpoint, values) in mine:
        lines += [f"- {_work_label(key, n)}", f"  {absolute_url(endpoint, **values)}"]
    lines += ["", _("Everything that waits for you: %(url)s", url=absolute_url("dashboard.index"))]
    return subject, "\n".join(lines) + "\n"


def run_moderation_summary(now: datetime | None = None) -> dict:
    """Queue this morning's summaries (the scheduler calls this once per Amsterdam day, after its claim)."""
    from app.mail import queue_mail

    people = recipients(SUMMARY_TOPIC)
    counts = _work_waiting() if people else {}
    sent = 0
    for user in people:
        with force_locale(language_of(user)):
            text = summary_text(user, counts)
        if text is None:
            continue
        queue_mail(kind="summary", to=user.email, user=user, subject=text[0], body=text[1], topic=SUMMARY_TOPIC)
        sent += 1
    db.session.commit()
    return {"people": sent, **counts}


# --- the Groene Loper reminder -------------------------------------------------------------------------


def reminder_text(user, rows: list, total: int, days: int) -> tuple[str, str]:
    """(subject, body) of the reminder in the current language: `rows` are (issue, working days), oldest first."""
    subject = ngettext(
        "%(num)d issue by a resident waits longer than %(days)d working days for an answer",
        "%(num)d issues by residents wait longer than %(days)d working days for an answer",
        total,
        days=days,
    )
    lines = [
        _("Hello %(name)s,", name=user.display_name),
        "",
        ngettext(
            "This resident waits longer than %(days)d working days for a first answer, the Groene Loper's promise:",
            "These residents wait longer than %(days)d working days for a first answer, the Groene Loper's "
            "promise. The longest waiting first:",
            total,
            days=days,
        ),
        "",
    ]
    for issue, waited in rows:
        lines.append(
            "- "
            + ngettext(
                "“%(title)s” (%(process)s): %(num)d working day",
                "“%(title)s” (%(process)s): %(num)d working days",
                waited,
                title=issue.title,
                process=issue.process.name,
            )
        )
        lines.append(f"  {absolute_url('issues.show', issue_id=issue.id)}")
    more = total - len(rows)
    if more > 0:
        lines += [
            "",
            _("And %(num)d more: %(url)s", num=more, url=absolute_url("dashboard.waiting")),
        ]
    lines += ["", _("A short first answer helps already.")]
    return subject, "\n".join(lines) + "\n"


def run_waiting_reminders(now: datetime | None = None) -> dict:
    """Queue this morning's Groene Loper reminders (once per Amsterdam working day, after the claim)."""
    from app.mail import queue_mail

    now = now or utcnow()
    if not is_working_day(today(now)):
        return {"people": 0, "waiting": 0, "skipped": "not a working day"}
    people = recipients(REMINDER_TOPIC)
    if not people:
        return {"people": 0, "waiting": 0}
    rows, total = waiting_for_answer(limit=REMINDER_LIMIT, now=now)
    if not total:
        return {"people": 0, "waiting": 0}
    days = target_days()
    for user in people:
        with force_locale(language_of(user)):
            subject, body = reminder_text(user, rows, total, days)
        queue_mail(kind="reminder", to=user.email, user=user, subject=subject, body=body, topic=REMINDER_TOPIC)
    db.session.commit()
    return {"people": len(people), "waiting": total}
