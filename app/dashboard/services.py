"""What waits for the neighbourhood director, a facilitator or an alderman now, counted in a fixed number of queries.

Each function answers for one process (`process_id`) or for all (None) and costs one to four queries,
however much waits: counts are counted in the database, lists are cut at `limit` and come with their total.
Which functions a page calls depends on the version of the overview (app/dashboard/permissions.py).

Hidden issues and reactions: the counts for moderation include them on purpose (the moderation queue shows
them to the same people); everything else leaves them out through the session's visibility rule for
requests (app/issues/visibility.py) or, for the residents who wait, the rule of app/issues/waiting.py.
Processes that are not published are left out by app/processes/visibility.py for whoever may not see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, MembershipStatus, User
from app.agendas.models import Agenda, Answer, ConsentAnswer, ConsentRound, MemberStatus, WorkingGroupMember
from app.covenants.council_rule import council_approvals
from app.covenants.models import Covenant, CovenantStatus
from app.covenants.signing import can_sign_now
from app.covenants.versions import current_versions
from app.extensions import db
from app.issues import waiting as issues_waiting
from app.issues.models import Comment, Issue, Report
from app.issues.visibility import all_rows
from app.moderation.edits import PendingEdit
from app.moderation.queue import Page
from app.predicates import phase_allows
from app.processes.models import PHASE_ORDER, PhaseKey, Process
from app.workdays import today

# At most this many covenants are weighed for the council and for signing (a pilot has a handful).
COVENANT_CANDIDATES = 200
# Residents waiting, per page of the whole list (as many as the morning reminder lists).
WAITING_PER_PAGE = 50


@dataclass
class Listing:
    """The first rows of a list and how many there are in all."""

    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


# --- moderation and members -------------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationCounts:
    reports: int  # contributions with open reports
    pending: int  # contributions of new accounts waiting for a check
    held: int  # changes to checked contributions waiting for a check

    @property
    def total(self) -> int:
        return self.reports + self.pending + self.held


def _in_process(stmt, process_id: int | None):
    return stmt if process_id is None else stmt.where(Issue.process_id == process_id)


@all_rows()  # reported and waiting contributions are often hidden: they count, as in the queue
def moderation_counts(process_id: int | None = None) -> ModerationCounts:
    """What the moderation queue holds (for one process: about its issues and their reactions), in one query."""
    unresolved = Report.resolved_at.is_(None)
    reported = sa.union(  # a contribution reported by several people waits once
        _in_process(
            sa.select(sa.literal("issue").label("t"), Report.target_id)
            .join(Issue, Issue.id == Report.target_id)
            .where(Report.target_type == "issue", unresolved),
            process_id,
        ),
        _in_process(
            sa.select(sa.literal("comment").label("t"), Report.target_id)
            .join(Comment, Comment.id == Report.target_id)
            .join(Issue, Issue.id == Comment.issue_id)
            .where(Report.target_type == "comment", unresolved),
            process_id,
        ),
    )
    pending = sa.union_all(
        _in_process(
            sa.select(sa.literal("issue").label("t"), Issue.id).where(Issue.visibility == "pending"), process_id
        ),
        _in_process(
            sa.select(sa.literal("comment").label("t"), Comment.id)
            .join(Issue, Issue.id == Comment.issue_id)
            .where(Comment.visibility == "pending"),
            process_id,
        ),
    )
    held = _in_process(sa.select(PendingEdit.id).join(Issue, Issue.id == PendingEdit.issue_id), process_id)

    def count(rows) -> sa.ScalarSelect:
        return sa.select(sa.func.count()).select_from(rows.subquery()).scalar_subquery()

    row = db.session.execute(sa.select(count(reported), count(pending), count(held))).one()
    return ModerationCounts(*row)


def memberships_waiting() -> int:
    """Requests to represent an organisation that wait for approval (as the admin page lists them)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.status == MembershipStatus.PENDING.value, User.email_verified_at.is_not(None))
    )


@dataclass(frozen=True)
class JoinRow:
    issue_id: int
    title: str
    requests: int
    since: datetime


@dataclass
class JoinRequests(Listing):
    requests: int = 0  # requests in all (`total` counts the issues)


def join_requests(process_id: int | None = None, limit: int = 10) -> JoinRequests:
    """Residents who asked to join a working group, per issue, the longest waiting first (two queries)."""
    per_issue = _in_process(
        sa.select(
            Issue.id,
            Issue.title,
            sa.func.count(WorkingGroupMember.id).label("n"),
            sa.func.min(WorkingGroupMember.requested_at).label("since"),
        )
        .join(Issue, Issue.id == WorkingGroupMember.issue_id)
        .where(WorkingGroupMember.status == MemberStatus.PENDING.value)
        .group_by(Issue.id, Issue.title),
        process_id,
    )
    grouped = per_issue.subquery()
    issues, requests = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(grouped.c.n), 0)).select_from(grouped)
    ).one()
    rows = []
    if limit:
        rows = [JoinRow(*row) for row in db.session.execute(per_issue.order_by("since", Issue.id).limit(limit))]
    return JoinRequests(rows, issues, int(requests))


# --- residents who wait -----------------------------------------------------------------------------


def residents_waiting(process_id: int | None = None, limit: int = 10) -> Listing:
    """Residents' issues without an answer after the Groene Loper's target, oldest first, with working days."""
    rows, total = issues_waiting.waiting_for_answer(process_id=process_id, limit=limit)
    return Listing(rows, total)


def residents_waiting_page(process_id: int | None, page: int, per_page: int = WAITING_PER_PAGE) -> Page:
    """One page of the whole list of residents waiting (the work overview shows its first rows), one query."""
    rows, total = issues_waiting.waiting_for_answer(process_id=process_id, limit=per_page, offset=(page - 1) * per_page)
    return Page(rows, page, per_page, total)


def residents_waiting_count(process_id: int | None = None) -> int:
    return issues_waiting.count_waiting(process_id)


def groene_loper_days() -> int:
    return issues_waiting.target_days()


# --- consent rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectionRow:
    issue_id: int
    title: str
    horizon: int
    objections: int
    since: datetime  # the oldest objection without an answer


@dataclass
class Objections(Listing):
    objections: int = 0  # objections in all (`total` counts the rounds)


def open_objections(process_id: int | None = None, limit: int = 10) -> Objections:
    """Open consent rounds with objections nobody answered yet, the oldest objection first (two queries)."""
    per_round = _in_process(
        sa.select(
            Issue.id,
            Issue.title,
            Agenda.horizon,
            sa.func.count(ConsentAnswer.id).label("n"),
            sa.func.min(ConsentAnswer.answered_at).label("since"),
        )
        .select_from(ConsentAnswer)
        .join(ConsentRound, ConsentRound.id == ConsentAnswer.round_id)
        .join(Agenda, Agenda.id == ConsentRound.agenda_id)
        .join(Issue, Issue.id == Agenda.issue_id)
        .where(
            ConsentRound.open.is_(True),
            ConsentAnswer.answer == Answer.OBJECT.value,
            ConsentAnswer.responded_at.is_(None),
        )
        .group_by(ConsentRound.id, Issue.id, Issue.title, Agenda.horizon),
        process_id,
    )
    grouped = per_round.subquery()
    rounds, objections = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(grouped.c.n), 0)).select_from(grouped)
    ).one()
    rows = []
    if limit:
        ordered = per_round.order_by("since", Issue.id, Agenda.horizon).limit(limit)
        rows = [ObjectionRow(*row) for row in db.session.execute(ordered)]
    return Objections(rows, rounds, int(objections))


# --- covenants --------------------------------------------------------------------------------------


def _covenants_in_play(process_id: int | None) -> list[Covenant]:
    """Covenants being written or open for signature, with their processes (at most COVENANT_CANDIDATES)."""
    stmt = (
        sa.select(Covenant)
        .where(Covenant.status.in_((CovenantStatus.DRAFT.value, CovenantStatus.OPEN.value)))
        .options(selectinload(Covenant.process))
        .order_by(Covenant.created_at, Covenant.id)
        .limit(COVENANT_CANDIDATES)
    )
    if process_id is not None:
        stmt = stmt.where(Covenant.process_id == process_id)
    return list(db.session.scalars(stmt))


@dataclass
class CovenantWork:
    council: Listing  # waiting for the council
    to_sign: Listing | None  # waiting for this person's signature (None: not asked)


def covenant_work(user, process_id: int | None = None, limit: int = 10, to_sign: bool = False) -> CovenantWork:
    """Covenants waiting for the council and, when asked, for this person's signature, in a fixed number of queries.

    Waiting for the council: they commit municipal money or staff and lack the council's approval of their text
    as it is now; being written, they cannot be opened for signature, and open, their signing is paused
    (app/covenants/council_rule.py). Waiting for a signature: open, not paused, in the signing phase, with a party
    this person signs for that has not signed (app/covenants/signing.py; for an alderman: the municipality).
    """
    candidates = _covenants_in_play(process_id)
    approved = council_approvals([c for c in candidates if c.commits_municipality])
    for_council = [c for c in candidates if c.commits_municipality and not approved[c.id]]
    mine = None
    if to_sign:
        signable = [
            c
            for c in candidates
            if c.status == CovenantStatus.OPEN.value and (not c.commits_municipality or approved[c.id])
        ]
        current_versions(signable)  # one read for all, which `can_sign_now` then uses
        signing_phase = phase_allows("covenant.sign")
        found = [c for c in signable if signing_phase(user, c) and can_sign_now(user, c)]
        mine = Listing(found[:limit], len(found))
    return CovenantWork(Listing(for_council[:limit], len(for_council)), mine)


# --- the phase plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextPhase:
    process: Process
    current: PhaseKey
    current_ends_on: date | None
    next: PhaseKey | None  # None: the process is in its last phase
    starts_on: date | None  # when the next phase is planned to start; None: not planned

    @property
    def overdue(self) -> bool:
        """The planned start has passed and the process did not move on yet."""
        return self.starts_on is not None and self.starts_on < today()


def published_processes() -> list[Process]:
    """The published processes, oldest first, with their phase plans (two queries)."""
    return list(
        db.session.scalars(
            sa.select(Process).where(Process.published_at.is_not(None)).order_by(Process.created_at, Process.id)
        )
    )


def next_phases(processes: list[Process]) -> list[NextPhase]:
    """Per process: the phase it is in, and the next one with its planned date (no queries: plans are loaded)."""
    found = []
    for process in processes:
        index = PHASE_ORDER.index(process.current_phase_key)
        current = process.phase(process.current_phase_key)
        following = PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None
        planned = process.phase(following) if following else None
        found.append(
            NextPhase(
                process=process,
                current=process.current_phase_key,
                current_ends_on=current.ends_on if current else None,
                next=following,
                starts_on=planned.starts_on if planned else None,
            )
        )
    return found


# --- the overview -----------------------------------------------------------------------------------


def gather(user, sections: tuple[str, ...], process: Process | None = None, limit: int = 10, brief: bool = False):
    """What waits, for each of `sections` (app/dashboard/permissions.py), for one process or all published ones.

    `brief` (the home page): counts only, no rows. The number of queries depends on the sections, not the data.
    """
    process_id = process.id if process is not None else None
    rows = 0 if brief else limit
    work: dict[str, object] = {}
    if "moderation" in sections:
        work["moderation"] = moderation_counts(process_id)
    if "memberships" in sections:
        work["memberships"] = memberships_waiting()
    if "joins" in sections:
        work["joins"] = join_requests(process_id, rows)
    if "waiting" in sections:
        work["waiting"] = (
            Listing([], residents_waiting_count(process_id)) if brief else residents_waiting(process_id, rows)
        )
    if "objections" in sections:
        work["objections"] = open_objections(process_id, rows)
    if "council" in sections or "to_sign" in sections:
        covenants = covenant_work(user, process_id, rows, to_sign="to_sign" in sections)
        if "council" in sections:
            work["council"] = covenants.council
        if "to_sign" in sections:
            work["to_sign"] = covenants.to_sign
    if "phases" in sections and not brief:
        work["phases"] = next_phases([process] if process is not None else published_processes())
    return work
