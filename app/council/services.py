"""Recording council positions, and reading them: per issue, per process, the checkpoints.

What other domains can call:
- `positions_for_issue(issue_id)`: the positions linked to one issue, newest first (one query).
- `positions_of(process_id)`: every position of a process with `kind`, `outcome`, `decided_on` and
  `issue_ids` loaded (two queries), for the 3P balance and exports.
- what the council last decided about an issue or a covenant: app/council/decisions.py.
- `checkpoints(process)` / `checkpoints_for(processes)`: the moments the council takes part in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from app.council.decisions import DECISIONS, NEWEST_FIRST
from app.council.models import (
    CouncilPosition,
    Outcome,
    PositionKind,
    council_position_covenants,
    council_position_issues,
)
from app.covenants.council_rule import (  # the rule that binds approval to a text
    council_approves,
    signing_paused,
)
from app.covenants.models import Covenant
from app.errors import DomainError
from app.extensions import db
from app.issues.models import Issue
from app.models_common import utcnow
from app.notifications import events
from app.processes.models import PHASE_ORDER, PhaseKey, Process, phase_label
from app.workdays import today as local_today


@dataclass
class PositionData:
    process_id: int | None
    kind: str
    decided_on: date | None
    reference: str
    title: str
    outcome: str
    summary: str = ""
    faction: str = ""
    phase: str = ""
    issue_ids: list[int] = field(default_factory=list)
    covenant_ids: list[int] = field(default_factory=list)


# --- writing -------------------------------------------------------------------------------


def record_position(actor, data: PositionData) -> CouncilPosition:
    issues, covenants = _check(data)
    paused_before = _signing_paused(covenants)
    position = CouncilPosition(recorded_by=actor)
    _apply(position, data, issues, covenants)
    db.session.add(position)
    db.session.flush()
    _tell_signing_changes(actor, position, covenants, paused_before)
    return position


def update_position(actor, position: CouncilPosition, data: PositionData, version: int) -> CouncilPosition:
    """Change a position, unless someone else changed it since `version` was read (then nothing is saved)."""
    issues, covenants = _check(data)
    moved = db.session.execute(
        sa.update(CouncilPosition)
        .where(CouncilPosition.id == position.id, CouncilPosition.version == version)
        .values(version=version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise DomainError(
            _(
                "Someone else changed this position a moment ago. Your text is still below. "
                "Open the position again to see the new version."
            )
        )
    db.session.refresh(position)
    # a covenant the position no longer names may be affected as much as one it names now
    touched = list({c.id: c for c in [*position.covenants, *covenants]}.values())
    paused_before = _signing_paused(touched)
    _apply(position, data, issues, covenants)
    db.session.flush()
    _tell_signing_changes(actor, position, touched, paused_before)
    return position


def _signing_paused(covenants: Sequence[Covenant]) -> dict[int, bool]:
    return {c.id: signing_paused(c) for c in covenants}


def _tell_signing_changes(actor, position: CouncilPosition, covenants, paused_before: dict[int, bool]) -> None:
    """A decision that pauses signing of an open covenant (a rejection of its text), or lets it go on again,
    is an event for its signatories and parties (app/notifications)."""
    for covenant in covenants:
        paused = signing_paused(covenant)
        if paused == paused_before[covenant.id]:
            continue
        events.record(
            "covenant_paused" if paused else "covenant_resumed",
            actor=actor,
            covenant=covenant,
            version=covenant.current_version,
            title=covenant.title,
            reference=position.reference,
        )


def _apply(position: CouncilPosition, data: PositionData, issues: list[Issue], covenants: list[Covenant]) -> None:
    position.process_id = data.process_id
    position.kind = data.kind
    position.faction = data.faction.strip()
    position.decided_on = data.decided_on
    position.reference = data.reference.strip()
    position.title = data.title.strip()
    position.summary = data.summary.strip()
    position.outcome = data.outcome
    position.phase = data.phase or None
    position.issues = issues
    position.covenants = covenants


def _check(data: PositionData) -> tuple[list[Issue], list[Covenant]]:
    """Check the rules of a position; return the issues and covenants it links to (all in its process)."""
    if data.process_id is None or db.session.get(Process, data.process_id) is None:
        raise DomainError(_("Choose the process."), "process_id")
    if data.kind not in {k.value for k in PositionKind}:
        raise DomainError(_("Choose what kind of position it is."), "kind")
    faction = data.faction.strip()
    if data.kind == PositionKind.FACTION_POSITION and not faction:
        raise DomainError(_("Write the name of the faction (the party in the council)."), "faction")
    if data.kind != PositionKind.FACTION_POSITION and faction:
        raise DomainError(_("Only a position of a faction names a faction. Leave this field empty."), "faction")
    if data.decided_on is None:
        raise DomainError(_("Write the date, for example 2026-03-12."), "decided_on")
    if data.decided_on > local_today() + timedelta(days=1):
        raise DomainError(_("The date cannot be in the future. Record a position once it is taken."), "decided_on")
    if not data.reference.strip():
        raise DomainError(_("Write the council's reference, for example 2026/014."), "reference")
    if not data.title.strip():
        raise DomainError(_("Write a title."), "title")
    if data.outcome not in {o.value for o in Outcome}:
        raise DomainError(_("Choose the outcome."), "outcome")
    if data.phase and data.phase not in {p.value for p in PhaseKey}:
        raise DomainError(_("Choose a moment from the list."), "phase")
    return _issues_of(data.process_id, data.issue_ids), _covenants_of(data.process_id, data.covenant_ids)


def _issues_of(process_id: int, issue_ids: Sequence[int]) -> list[Issue]:
    def unknown(numbers: list[str]) -> str:
        return ngettext(
            "There is no issue with number %(numbers)s in this process.",
            "There are no issues with numbers %(numbers)s in this process.",
            len(numbers),
            numbers=", ".join(numbers),
        )

    return _in_process(Issue, process_id, issue_ids, unknown, "issues")


def _covenants_of(process_id: int, covenant_ids: Sequence[int]) -> list[Covenant]:
    def unknown(numbers: list[str]) -> str:
        return ngettext(
            "There is no covenant with number %(numbers)s in this process.",
            "There are no covenants with numbers %(numbers)s in this process.",
            len(numbers),
            numbers=", ".join(numbers),
        )

    return _in_process(Covenant, process_id, covenant_ids, unknown, "covenants")


def _in_process(model, process_id: int, ids: Sequence[int], unknown: Callable[[list[str]], str], field: str) -> list:
    """The rows of `model` with these ids, in the order given, once each; all of them in this process."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = {
        row.id: row
        for row in db.session.scalars(sa.select(model).where(model.id.in_(wanted), model.process_id == process_id))
    }
    missing = [str(n) for n in wanted if n not in found]
    if missing:
        raise DomainError(unknown(missing), field)
    return [found[n] for n in wanted]


# --- reading -------------------------------------------------------------------------------


def get_position(position_id: int) -> CouncilPosition | None:
    return db.session.get(CouncilPosition, position_id)


def positions_query(process_id: int | None = None, kind: str = "") -> sa.Select:
    """Positions newest first, with their process and issues (for a page of the list)."""
    stmt = sa.select(CouncilPosition).options(
        selectinload(CouncilPosition.issues),
        selectinload(CouncilPosition.covenants),
        selectinload(CouncilPosition.process),
    )
    if process_id is not None:
        stmt = stmt.where(CouncilPosition.process_id == process_id)
    if kind:
        stmt = stmt.where(CouncilPosition.kind == kind)
    return stmt.order_by(*NEWEST_FIRST)


def positions_of(process_id: int) -> list[CouncilPosition]:
    """Every position of a process, newest first, each with `kind`, `outcome`, `decided_on` and `issue_ids`."""
    return list(db.session.scalars(positions_query(process_id)))


def positions_for_issue(issue_id: int) -> list[CouncilPosition]:
    """The positions linked to one issue, newest first: one query (the issue and agenda pages show them)."""
    stmt = (
        sa.select(CouncilPosition)
        .join(council_position_issues, council_position_issues.c.position_id == CouncilPosition.id)
        .where(council_position_issues.c.issue_id == issue_id)
        .order_by(*NEWEST_FIRST)
    )
    return list(db.session.scalars(stmt))


# --- checkpoints ---------------------------------------------------------------------------


@dataclass
class Checkpoint:
    """A moment at which the council takes part in a process: the interim stop, later each covenant
    that commits municipal money or staff."""

    process: Process
    kind: str  # "interim"; the covenant work adds "covenant"
    title: str
    starts_on: date | None
    ends_on: date | None
    state: str  # "done", "current" or "upcoming", as on the process timeline
    positions: list[CouncilPosition] = field(default_factory=list)
    url: str | None = None


def _interim_checkpoints(processes: Sequence[Process]) -> dict[int, list[Checkpoint]]:
    """The interim stop (tussenstop) of each process, with its planned dates and the positions about it."""
    about = {p.id: [] for p in processes}
    stmt = (
        sa.select(CouncilPosition)
        .where(CouncilPosition.process_id.in_(list(about)), CouncilPosition.phase == PhaseKey.INTERIM.value)
        .order_by(*NEWEST_FIRST)
    )
    for position in db.session.scalars(stmt):
        about[position.process_id].append(position)
    interim = PHASE_ORDER.index(PhaseKey.INTERIM)
    result = {}
    for process in processes:
        phase = process.phase(PhaseKey.INTERIM)
        current = PHASE_ORDER.index(process.current_phase_key)
        state = "done" if current > interim else "current" if current == interim else "upcoming"
        result[process.id] = [
            Checkpoint(
                process=process,
                kind="interim",
                title=phase_label(PhaseKey.INTERIM),
                starts_on=phase.starts_on if phase else None,
                ends_on=phase.ends_on if phase else None,
                state=state,
                positions=about[process.id],
            )
        ]
    return result


def _covenant_checkpoints(processes: Sequence[Process]) -> dict[int, list[Checkpoint]]:
    """Each covenant that commits municipal money or staff: the council must approve it before it is signed."""
    covenants = list(
        db.session.scalars(
            sa.select(Covenant)
            .where(Covenant.process_id.in_([p.id for p in processes]), Covenant.commits_municipality.is_(True))
            .order_by(Covenant.created_at, Covenant.id)
        )
    )
    about: dict[int, list[CouncilPosition]] = {c.id: [] for c in covenants}
    if covenants:
        stmt = (
            sa.select(council_position_covenants.c.covenant_id, CouncilPosition)
            .join(CouncilPosition, CouncilPosition.id == council_position_covenants.c.position_id)
            .where(council_position_covenants.c.covenant_id.in_(list(about)))
            .order_by(*NEWEST_FIRST)
        )
        for covenant_id, position in db.session.execute(stmt):
            about[covenant_id].append(position)
    by_id = {p.id: p for p in processes}
    result: dict[int, list[Checkpoint]] = {p.id: [] for p in processes}
    for covenant in covenants:
        decisions = [p for p in about[covenant.id] if p.kind in DECISIONS]
        approved = bool(decisions) and decisions[0].outcome == Outcome.APPROVED and council_approves(covenant)
        result[covenant.process_id].append(
            Checkpoint(
                process=by_id[covenant.process_id],
                kind="covenant",
                title=_("Covenant: %(title)s", title=covenant.title),
                starts_on=None,
                ends_on=None,
                state="done" if approved else "current",
                positions=about[covenant.id],
                url=url_for("covenants.show", covenant_id=covenant.id),
            )
        )
    return result


# Each source gives the checkpoints of a list of processes in a fixed number of queries.
CHECKPOINT_SOURCES: list[Callable[[Sequence[Process]], dict[int, list[Checkpoint]]]] = [
    _interim_checkpoints,
    _covenant_checkpoints,
]


def checkpoints_for(processes: Sequence[Process]) -> dict[int, list[Checkpoint]]:
    """The checkpoints of each process (by id), in date order; undated ones last."""
    result: dict[int, list[Checkpoint]] = {p.id: [] for p in processes}
    if not processes:
        return result
    for source in CHECKPOINT_SOURCES:
        for process_id, found in source(processes).items():
            result[process_id].extend(found)
    for found in result.values():
        found.sort(key=lambda c: (c.starts_on is None, c.starts_on or date.min))
    return result


def checkpoints(process: Process) -> list[Checkpoint]:
    return checkpoints_for([process])[process.id]
