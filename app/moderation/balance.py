"""The balance of Puzzling, Powering and Participation (Hoppe, 2011), computed from what happened.

Every event on the platform counts toward one of the three by the mapping in `KINDS` below;
the help page (/help/balance) shows the same table. The events are read straight from the
tables where they already live (issues, reactions, supports, points, decisions, agenda
revisions, consent rounds, working groups, phase changes, council positions), through one
UNION query, so nothing has to be kept in step. A moderator can count one contribution
differently (`BalanceOverride`); that is logged like every moderation action.

Shares are weighted: a click (support, a point) weighs less than writing a reaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.accounts.models import Role, User
from app.agendas.models import (
    Agenda,
    AgendaRevision,
    Answer,
    ConsentAnswer,
    ConsentRound,
    MemberStatus,
    WorkingGroupMember,
)
from app.extensions import db
from app.issues.models import Allocation, Ballot, Comment, CommentKind, Issue, IssueStatusChange, Support
from app.moderation.models import BalanceOverride, ThreeP
from app.processes.models import PhaseChange

P = ThreeP


@dataclass(frozen=True)
class Kind:
    category: ThreeP
    weight: float
    label: object
    # A contribution someone wrote or made (for the dominance and detached signals), not a click.
    contribution: bool = False


KINDS: dict[str, Kind] = {
    "argument": Kind(P.PUZZLING, 1, _l("A reaction with an argument or evidence"), True),
    "expert_input": Kind(P.PUZZLING, 1, _l("A reaction with knowledge from a partner or the municipality"), True),
    "agenda_revision": Kind(P.PUZZLING, 1, _l("A new version of an agenda"), True),
    "objection": Kind(P.PUZZLING, 1, _l("A concern or objection in a consent round, with its reason"), True),
    "decision": Kind(P.POWERING, 1, _l("A decision on an issue: not chosen, merged or reopened")),
    "shortlist": Kind(P.POWERING, 1, _l("An issue chosen for an agenda")),
    "consent_outcome": Kind(P.POWERING, 1, _l("An agenda agreed in a consent round")),
    "phase_change": Kind(P.POWERING, 1, _l("The process moved to the next phase")),
    "council_position": Kind(P.POWERING, 1, _l("A decision or position of the municipal council")),
    "signature": Kind(P.POWERING, 1, _l("A covenant signed on behalf of a party")),
    "issue": Kind(P.PARTICIPATION, 1, _l("An issue proposed"), True),
    "reaction": Kind(P.PARTICIPATION, 1, _l("A resident's experience, idea or question, or anyone's question"), True),
    "consent": Kind(P.PARTICIPATION, 1, _l("Agreeing in a consent round"), True),
    "member_joined": Kind(P.PARTICIPATION, 1, _l("Someone joined a working group")),
    "support": Kind(P.PARTICIPATION, 0.25, _l("Supporting an issue")),
    "vote": Kind(P.PARTICIPATION, 0.25, _l("Points given to an issue in the prioritisation round")),
}
CONTRIBUTIONS = tuple(key for key, kind in KINDS.items() if kind.contribution)
# The contributions a moderator may count differently: (source, the event kinds it gives).
RECLASSIFIABLE = ("issue", "comment", "agenda_revision", "consent_answer")


def comment_kind(kind: str, author_role: str | None) -> str:
    """Which event a reaction is; the CASE in `_event_selects` says the same."""
    if kind == CommentKind.ARGUMENT.value:
        return "argument"
    if kind == CommentKind.EXPERIENCE.value and author_role not in (None, Role.RESIDENT.value):
        return "expert_input"
    return "reaction"


def default_category(source: str, target) -> str:
    """The category a contribution counts toward before any moderator changed it."""
    if source == "comment":
        return KINDS[comment_kind(target.kind, target.author.role if target.author else None)].category.value
    if source == "issue":
        return KINDS["issue"].category.value
    raise ValueError(source)


# --- the events, as one UNION ----------------------------------------------------------------


def _text(value: str):
    # typed, so PostgreSQL knows what a UNION of parameters is
    return sa.cast(sa.literal(value), sa.String(30))


def _columns(kind, source: str, target_id, issue_id, actor_id, at):
    return (
        (kind if isinstance(kind, sa.ColumnElement) else _text(kind)).label("kind"),
        _text(source).label("source"),
        target_id.label("target_id"),
        issue_id.label("issue_id"),
        actor_id.label("actor_id"),
        at.label("at"),
    )


def _event_selects(process_id: int) -> list:
    author = aliased(User)
    in_process = Issue.process_id == process_id
    shown = Issue.visibility == "visible"
    comment_kind_sql = sa.case(
        (Comment.kind == CommentKind.ARGUMENT.value, "argument"),
        (
            sa.and_(Comment.kind == CommentKind.EXPERIENCE.value, author.role != Role.RESIDENT.value),
            "expert_input",
        ),
        else_="reaction",
    )
    agenda_issue = sa.select(Agenda.id, Agenda.issue_id).join(Issue, Issue.id == Agenda.issue_id).where(in_process)
    agenda_issue = agenda_issue.subquery()
    selects = [
        sa.select(*_columns("issue", "issue", Issue.id, Issue.id, Issue.author_id, Issue.created_at)).where(
            in_process, shown
        ),
        sa.select(
            *_columns(comment_kind_sql, "comment", Comment.id, Comment.issue_id, Comment.author_id, Comment.created_at)
        )
        .join(Issue, Issue.id == Comment.issue_id)
        .outerjoin(author, author.id == Comment.author_id)
        .where(in_process, Comment.visibility == "visible"),
        sa.select(*_columns("support", "support", Support.id, Support.issue_id, Support.user_id, Support.created_at))
        .join(Issue, Issue.id == Support.issue_id)
        .where(in_process),
        sa.select(*_columns("vote", "vote", Allocation.id, Allocation.issue_id, Ballot.user_id, Ballot.updated_at))
        .join(Ballot, Ballot.id == Allocation.ballot_id)
        .join(Issue, Issue.id == Allocation.issue_id)
        .where(in_process),
        sa.select(
            *_columns(
                sa.case((IssueStatusChange.to_status == "shortlisted", "shortlist"), else_="decision"),
                "status_change",
                IssueStatusChange.id,
                IssueStatusChange.issue_id,
                IssueStatusChange.changed_by_id,
                IssueStatusChange.changed_at,
            )
        )
        .join(Issue, Issue.id == IssueStatusChange.issue_id)
        .where(
            in_process,
            IssueStatusChange.from_status.is_not(None),
            IssueStatusChange.to_status != "withdrawn",
            # a merge writes an entry on both issues; the one on the target names its source
            IssueStatusChange.merged_from_id.is_(None),
        ),
        sa.select(
            *_columns(
                "agenda_revision",
                "agenda_revision",
                AgendaRevision.id,
                agenda_issue.c.issue_id,
                AgendaRevision.author_id,
                AgendaRevision.created_at,
            )
        ).join(agenda_issue, agenda_issue.c.id == AgendaRevision.agenda_id),
        sa.select(
            *_columns(
                sa.case((ConsentAnswer.answer == Answer.AGREE.value, "consent"), else_="objection"),
                "consent_answer",
                ConsentAnswer.id,
                agenda_issue.c.issue_id,
                ConsentAnswer.user_id,
                ConsentAnswer.answered_at,
            )
        )
        .join(ConsentRound, ConsentRound.id == ConsentAnswer.round_id)
        .join(agenda_issue, agenda_issue.c.id == ConsentRound.agenda_id),
        sa.select(
            *_columns(
                "consent_outcome",
                "consent_round",
                ConsentRound.id,
                agenda_issue.c.issue_id,
                ConsentRound.opened_by_id,
                ConsentRound.closed_at,
            )
        )
        .join(agenda_issue, agenda_issue.c.id == ConsentRound.agenda_id)
        .where(ConsentRound.agreed.is_(True), ConsentRound.closed_at.is_not(None)),
        sa.select(
            *_columns(
                "member_joined",
                "working_group",
                WorkingGroupMember.id,
                WorkingGroupMember.issue_id,
                WorkingGroupMember.user_id,
                WorkingGroupMember.decided_at,
            )
        )
        .join(Issue, Issue.id == WorkingGroupMember.issue_id)
        .where(
            in_process,
            WorkingGroupMember.status == MemberStatus.ADMITTED.value,
            WorkingGroupMember.decided_at.is_not(None),
        ),
        sa.select(
            *_columns(
                "phase_change",
                "phase_change",
                PhaseChange.id,
                sa.cast(sa.null(), sa.Integer),
                PhaseChange.changed_by_id,
                PhaseChange.changed_at,
            )
        ).where(PhaseChange.process_id == process_id),
    ]
    selects.extend(_council_selects(process_id))
    selects.extend(_covenant_selects(process_id))
    return selects


def _council_selects(process_id: int) -> list:
    """Council positions: one event per position, on its first linked issue (if any)."""
    try:
        from app.council.models import CouncilPosition, council_position_issues
    except ImportError:  # pragma: no cover - the council domain is part of the app
        return []
    first_issue = (
        sa.select(sa.func.min(council_position_issues.c.issue_id))
        .where(council_position_issues.c.position_id == CouncilPosition.id)
        .scalar_subquery()
    )
    at = CouncilPosition.created_at
    return [
        sa.select(
            *_columns(
                "council_position",
                "council_position",
                CouncilPosition.id,
                first_issue,
                CouncilPosition.recorded_by_id,
                at,
            )
        ).where(CouncilPosition.process_id == process_id)
    ]


def _covenant_selects(process_id: int) -> list:
    """Signatures: one event per party that signed a covenant version (not tied to one issue)."""
    from app.covenants.models import Covenant, Signature

    return [
        sa.select(
            *_columns(
                "signature",
                "signature",
                Signature.id,
                sa.cast(sa.null(), sa.Integer),
                Signature.user_id,
                Signature.signed_at,
            )
        )
        .join(Covenant, Covenant.id == Signature.covenant_id)
        .where(Covenant.process_id == process_id)
    ]


def _source_of(select) -> str:
    """The source name a select was built with (the literal `_columns` puts in it)."""
    return select.selected_columns.source.element.clause.value


def _with_override(select):
    """One source's events with the moderator's reclassification (if any) as `override`.

    Only contributions can be reclassified; the other sources skip the join, which keeps
    counting 100,000 supports cheap.
    """
    raw = select.subquery()
    if _source_of(select) not in RECLASSIFIABLE:
        return sa.select(raw, sa.cast(sa.null(), sa.String(15)).label("override")).subquery()
    return (
        sa.select(raw, BalanceOverride.category.label("override"))
        .outerjoin(
            BalanceOverride,
            sa.and_(BalanceOverride.source == raw.c.source, BalanceOverride.target_id == raw.c.target_id),
        )
        .subquery()
    )


# --- the computation --------------------------------------------------------------------------


@dataclass
class Balance:
    """Weighted amounts per category; `shares` gives them as fractions of the whole."""

    weights: dict[str, float] = field(default_factory=lambda: {p.value: 0.0 for p in ThreeP})
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # events per kind

    def add(self, kind: str, override: str | None, count: int) -> None:
        category = override or KINDS[kind].category.value
        self.weights[category] += KINDS[kind].weight * count
        self.counts[kind] += count

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    @property
    def events(self) -> int:
        return sum(self.counts.values())

    def shares(self) -> dict[str, float]:
        total = self.total
        return {p: (w / total if total else 0.0) for p, w in self.weights.items()}

    def count(self, *kinds: str) -> int:
        return sum(self.counts.get(k, 0) for k in kinds)


def _grouped(process_id: int, *group_by, where=()):
    """Counts per (group columns, kind, override), grouped inside each source before the UNION.

    Grouping per source lets the database count from its tables and indexes directly, instead of
    first building one large UNION of every event (about 10x faster with 100,000 supports).
    """
    parts = []
    for select in _event_selects(process_id):
        ev = _with_override(select)
        columns = [getattr(ev.c, name) if isinstance(name, str) else name(ev) for name in group_by]
        parts.append(
            sa.select(*columns, ev.c.kind, ev.c.override, sa.func.count().label("n"))
            .where(*[condition(ev) for condition in where])
            .group_by(*columns, ev.c.kind, ev.c.override)
        )
    # Events, not content: a decision on an issue hidden since still happened, so the hidden-rows rule
    # (app/issues/visibility.py) steps aside; `_event_selects` says itself which issues and reactions count.
    return db.session.execute(sa.union_all(*parts).execution_options(include_hidden=True)).all()


def totals(process_id: int, since: datetime | None = None) -> Balance:
    where = [lambda ev: ev.c.at >= since] if since else []
    balance = Balance()
    for kind, override, n in _grouped(process_id, where=where):
        balance.add(kind, override, n)
    return balance


def per_issue(process_id: int, since: datetime | None = None) -> dict[int, Balance]:
    where = [lambda ev: ev.c.issue_id.is_not(None)]
    if since:
        where.append(lambda ev: ev.c.at >= since)
    result: dict[int, Balance] = defaultdict(Balance)
    for issue_id, kind, override, n in _grouped(process_id, "issue_id", where=where):
        result[issue_id].add(kind, override, n)
    return result


def per_day(process_id: int) -> dict[date, Balance]:
    result: dict[date, Balance] = defaultdict(Balance)
    for day, kind, override, n in _grouped(process_id, lambda ev: sa.func.date(ev.c.at)):
        result[_as_date(day)].add(kind, override, n)
    return result


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def per_week(days: dict[date, Balance]) -> list[tuple[date, Balance]]:
    """The days grouped by the Monday of their week, oldest first, including empty weeks between."""
    if not days:
        return []
    weeks: dict[date, Balance] = defaultdict(Balance)
    for day, balance in days.items():
        monday = day - timedelta(days=day.weekday())
        for kind, n in balance.counts.items():
            weeks[monday].counts[kind] += n
        for category, weight in balance.weights.items():
            weeks[monday].weights[category] += weight
    first, last = min(weeks), max(weeks)
    return [
        (first + timedelta(weeks=i), weeks.get(first + timedelta(weeks=i), Balance()))
        for i in range((last - first).days // 7 + 1)
    ]


def phase_on(changes: list[PhaseChange], day: date, first_phase: str) -> str:
    """The phase the process was in at the end of `day`, from its phase changes (oldest first)."""
    phase = changes[0].from_phase if changes else first_phase
    for change in changes:
        if change.changed_at.date() <= day:
            phase = change.to_phase
    return phase


def per_phase(process, days: dict[date, Balance]) -> dict[str, Balance]:
    changes = db.session.scalars(
        sa.select(PhaseChange).where(PhaseChange.process_id == process.id).order_by(PhaseChange.changed_at)
    ).all()
    result: dict[str, Balance] = defaultdict(Balance)
    for day, balance in days.items():
        phase = result[phase_on(changes, day, process.current_phase)]
        for kind, n in balance.counts.items():
            phase.counts[kind] += n
        for category, weight in balance.weights.items():
            phase.weights[category] += weight
    return result


def contributions_by_person(process_id: int, since: datetime | None = None) -> list[tuple[int, str, int]]:
    """(actor id, role, number of contributions), most active first: for dominance and detachment."""
    counts: dict[int, int] = defaultdict(int)
    where = [lambda ev: ev.c.kind.in_(CONTRIBUTIONS), lambda ev: ev.c.actor_id.is_not(None)]
    if since:
        where.append(lambda ev: ev.c.at >= since)
    for actor_id, _kind, _override, n in _grouped(process_id, "actor_id", where=where):
        counts[actor_id] += n
    roles = (
        dict(db.session.execute(sa.select(User.id, User.role).where(User.id.in_(list(counts) or [-1]))).all())
        if counts
        else {}
    )
    people = [(actor_id, roles.get(actor_id, ""), n) for actor_id, n in counts.items() if actor_id in roles]
    return sorted(people, key=lambda row: (-row[2], row[0]))
