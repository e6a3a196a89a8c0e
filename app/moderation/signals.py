"""Signals on the balance page: where the mix of Puzzling, Powering and Participation needs a step.

Each signal says what was seen and suggests one concrete thing to do. The thresholds are settings
(`BALANCE_*` in config.py, from the environment), with defaults that suit one neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import aliased

from app.accounts.models import Role, User
from app.extensions import db
from app.issues import waiting as waiting_list
from app.issues.models import ACTIVE, Comment, CommentKind, Issue, IssueStatus
from app.models_common import utcnow
from app.moderation import balance
from app.moderation.models import ThreeP


@dataclass
class Signal:
    key: str  # talk, few_arguments, detached, dominance, waiting
    title: str
    seen: str
    suggestion: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, url)


def _setting(name: str):
    return current_app.config[f"BALANCE_{name}"]


def _issue_links(issues: list[Issue], limit: int = 5) -> list[tuple[str, str]]:
    return [(f"#{i.id} {i.title}", url_for("issues.show", issue_id=i.id)) for i in issues[:limit]]


def _issues(ids) -> dict[int, Issue]:
    ids = list(ids)
    if not ids:
        return {}
    return {
        i.id: i for i in db.session.scalars(sa.select(Issue).where(Issue.id.in_(ids), Issue.visibility == "visible"))
    }


def endless_talk(process, now=None) -> Signal | None:
    """Active issues older than N days with many contributions in those days and no Powering event."""
    now = now or utcnow()
    days = _setting("TALK_DAYS")
    since = now - timedelta(days=days)
    recent = balance.per_issue(process.id, since=since)
    talking = [
        issue_id
        for issue_id, b in recent.items()
        if b.count(*balance.CONTRIBUTIONS) >= _setting("TALK_CONTRIBUTIONS") and b.weights[ThreeP.POWERING] == 0
    ]
    issues = _issues(talking)
    found = sorted(
        (i for i in issues.values() if i.status in ACTIVE and i.created_at <= since),
        key=lambda i: -recent[i.id].count(*balance.CONTRIBUTIONS),
    )
    if not found:
        return None
    return Signal(
        "talk",
        _("Endless talk"),
        ngettext(
            "%(num)d issue got many contributions in the last %(days)d days, but no decision step.",
            "%(num)d issues got many contributions in the last %(days)d days, but no decision step.",
            len(found),
            days=days,
        ),
        _(
            "Consider a decision step: shortlist, merge or decline the issue, open a round of points, "
            "or ask the alderman to decide."
        ),
        _issue_links(found),
    )


def few_arguments(process, now=None, per_issue=None) -> Signal | None:
    """Decided issues (chosen or not chosen) with fewer Puzzling events behind them than the setting."""
    minimum = _setting("MIN_ARGUMENTS")
    per_issue = balance.per_issue(process.id) if per_issue is None else per_issue
    decided = db.session.scalars(
        sa.select(Issue)
        .where(
            Issue.process_id == process.id,
            Issue.visibility == "visible",
            Issue.status.in_([IssueStatus.SHORTLISTED.value, IssueStatus.DECLINED.value]),
        )
        .order_by(Issue.id)
    ).all()
    found = [i for i in decided if per_issue[i.id].weights[ThreeP.PUZZLING] < minimum]
    if not found:
        return None
    return Signal(
        "few_arguments",
        _("A decision with few arguments"),
        ngettext(
            "%(num)d issue was decided on with fewer than %(min)d arguments, pieces of evidence or expert input.",
            "%(num)d issues were decided on with fewer than %(min)d arguments, pieces of evidence or expert input.",
            len(found),
            min=minimum,
        ),
        _("Add evidence or ask an expert for input, and explain the decision with it."),
        _issue_links(found),
    )


def _recent_people(process, now=None) -> list[tuple[int, str, int]]:
    now = now or utcnow()
    return balance.contributions_by_person(process.id, since=now - timedelta(days=_setting("WINDOW_DAYS")))


def detached(process, now=None, people=None) -> Signal | None:
    """Recent contributions come almost only from professionals (partners and the municipality)."""
    people = _recent_people(process, now) if people is None else people
    total = sum(n for _id, _role, n in people)
    if total < _setting("DETACHED_MIN"):
        return None
    professional = sum(n for _id, role, n in people if role != Role.RESIDENT.value)
    share = professional / total
    if share < _setting("DETACHED_SHARE"):
        return None
    return Signal(
        "detached",
        _("Detached from the neighbourhood"),
        _(
            "%(percent)d%% of the contributions in the last %(days)d days came from professionals, not from residents.",
            percent=round(share * 100),
            days=_setting("WINDOW_DAYS"),
        ),
        _("Organise a meeting in the neighbourhood, for example in the community centre, and bring its input here."),
    )


def dominance(process, now=None, people=None) -> Signal | None:
    """A few people make most of the contributions (principle 5: taking part as equals)."""
    people = _recent_people(process, now) if people is None else people
    few = _setting("DOMINANCE_PEOPLE")
    total = sum(n for _id, _role, n in people)
    if total < _setting("DOMINANCE_MIN") or len(people) <= few:
        return None
    top = sum(n for _id, _role, n in people[:few])
    share = top / total
    if share < _setting("DOMINANCE_SHARE"):
        return None
    return Signal(
        "dominance",
        _("A few voices dominate"),
        _(
            "%(people)d people made %(percent)d%% of the contributions in the last %(days)d days.",
            people=few,
            percent=round(share * 100),
            days=_setting("WINDOW_DAYS"),
        ),
        _(
            "Invite quieter participants in person, ask for reactions from people who have not spoken yet, "
            "or use a round of points so that every person counts the same (principle 5)."
        ),
    )


def waiting(process, now=None) -> Signal | None:
    """Residents' issues and questions without an answer after the Groene Loper's working days.

    The issues are those of app/issues/waiting.py (the reminders and the dashboard list the same ones).
    """
    now = now or utcnow()
    days = waiting_list.target_days()
    issues, issue_count = waiting_list.waiting_for_answer(process.id, limit=5, now=now)
    author, reply = aliased(User), aliased(Comment)
    questions = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Comment)
        .join(Issue, Issue.id == Comment.issue_id)
        .join(author, author.id == Comment.author_id)
        .where(
            Issue.process_id == process.id,
            Issue.visibility == "visible",
            Issue.status.in_(ACTIVE),
            Comment.kind == CommentKind.QUESTION.value,
            Comment.visibility == "visible",
            Comment.parent_id.is_(None),
            Comment.created_at < waiting_list.overdue_before(now, days),
            author.role == Role.RESIDENT.value,
            ~sa.exists().where(reply.parent_id == Comment.id, reply.author_id != Comment.author_id),
        )
    )
    if not issue_count and not questions:
        return None
    parts = []
    if issue_count:
        parts.append(ngettext("%(num)d issue", "%(num)d issues", issue_count))
    if questions:
        parts.append(ngettext("%(num)d question", "%(num)d questions", questions))
    return Signal(
        "waiting",
        _("Residents wait for an answer"),
        _(
            "%(what)s by residents got no answer within %(days)d working days.",
            what=_(" and ").join(parts),
            days=days,
        ),
        _("Answer them, or ask the partner who knows the subject to answer. A short first answer helps already."),
        _issue_links([issue for issue, _days in issues]),
    )


def all_signals(process, now=None, per_issue=None) -> list[Signal]:
    """Every signal that speaks up; `per_issue` may pass the balance per issue the caller already has."""
    people = _recent_people(process, now)
    found = [
        endless_talk(process, now),
        few_arguments(process, now, per_issue),
        detached(process, now, people),
        dominance(process, now, people),
        waiting(process, now),
    ]
    return [signal for signal in found if signal is not None]
