"""Creating and changing processes and moving them through their phases."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.errors import DomainError, unique_or
from app.extensions import db
from app.models_common import utcnow
from app.processes.models import PHASE_ORDER, PhaseChange, PhaseKey, Process, ProcessPhase, phase_label
from app.processes.phase_guard import MAX_REASON, MIN_REASON, describe

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:60].strip("-")


def get_process(slug: str) -> Process | None:
    return db.session.scalar(sa.select(Process).where(Process.slug == slug))


def list_processes() -> list[Process]:
    """Newest first; in a request, only those the person may see (app/processes/visibility.py)."""
    return list(db.session.scalars(sa.select(Process).order_by(Process.created_at.desc(), Process.id.desc())))


def phase_history(process: Process, limit: int = 20) -> list[PhaseChange]:
    """The latest changes of phase, newest first, with who made them (one query)."""
    return list(
        db.session.scalars(
            sa.select(PhaseChange)
            .where(PhaseChange.process_id == process.id)
            .order_by(PhaseChange.changed_at.desc(), PhaseChange.id.desc())
            .limit(limit)
            .options(selectinload(PhaseChange.changed_by))
        )
    )


@dataclass
class ProcessData:
    name: str
    neighbourhood: str
    description: str = ""
    plan: str = ""
    slug: str = ""
    published: bool = False  # new processes are prepared out of sight until the wijkregisseur publishes them
    # phase key -> (starts_on, ends_on)
    dates: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)


def _check(data: ProcessData) -> None:
    if not data.name.strip():
        raise DomainError(_("Enter a name."), "name")
    if not data.neighbourhood.strip():
        raise DomainError(_("Enter the neighbourhood."), "neighbourhood")
    previous_start: date | None = None
    for key in PHASE_ORDER:
        starts_on, ends_on = data.dates.get(key.value, (None, None))
        if starts_on and ends_on and ends_on < starts_on:
            raise DomainError(_("The end date must not be before the start date."), f"ends_{key.value}")
        if starts_on and previous_start and starts_on < previous_start:
            raise DomainError(_("This phase cannot start before the phase before it."), f"starts_{key.value}")
        previous_start = starts_on or previous_start


def create_process(data: ProcessData) -> Process:
    _check(data)
    slug = (data.slug or slugify(data.name) or slugify(data.neighbourhood)).strip()
    if not slug:
        raise DomainError(_("Make up a web address with small letters, digits and hyphens."), "slug")
    if not SLUG_RE.match(slug):
        raise DomainError(_("Use only small letters, digits and hyphens."), "slug")
    taken = DomainError(_("This web address is already used by another process."), "slug")
    if get_process(slug) is not None:
        raise taken
    process = Process(
        slug=slug,
        name=data.name.strip(),
        neighbourhood=data.neighbourhood.strip(),
        description=data.description.strip(),
        plan=data.plan.strip(),
        current_phase=PhaseKey.APPROACH.value,
        published_at=utcnow() if data.published else None,
    )
    process.phases = [ProcessPhase(key=key.value) for key in PHASE_ORDER]
    _apply_dates(process, data.dates)
    with unique_or(taken):  # two people creating the same address at once
        db.session.add(process)
    return process


def update_process(process: Process, data: ProcessData) -> None:
    _check(data)
    process.name = data.name.strip()
    process.neighbourhood = data.neighbourhood.strip()
    process.description = data.description.strip()
    process.plan = data.plan.strip()
    _apply_dates(process, data.dates)
    db.session.flush()


def _apply_dates(process: Process, dates: dict[str, tuple[date | None, date | None]]) -> None:
    for key in PHASE_ORDER:
        phase = process.phase(key)
        if phase is None:
            phase = ProcessPhase(key=key.value)
            process.phases.append(phase)
        if key.value in dates:
            phase.starts_on, phase.ends_on = dates[key.value]


def publish(actor, process: Process) -> bool:
    """Make the process visible to everyone. Returns False when it was published already (also by
    someone else a moment ago): publishing twice changes nothing."""
    published = db.session.execute(
        sa.update(Process)
        .where(Process.id == process.id, Process.published_at.is_(None))
        .values(published_at=utcnow(), published_by_id=getattr(actor, "id", None), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(process)
    return published == 1


def set_phase(
    actor, process: Process, key: str, reason: str, expected: str | None = None, confirmed: bool = False
) -> PhaseChange:
    """Move the process to another phase, with a reason for the phase history.

    `expected` is the phase the person saw when they confirmed: if it changed since, nothing happens
    and they are told. Going back or skipping a phase (phase_guard.PhaseMove.guarded) also needs
    `confirmed`, since it stops or skips work that people are doing.
    """
    try:
        new = PhaseKey(key)
    except ValueError:
        raise DomainError(_("Choose a phase from the list."), "phase") from None
    old = process.current_phase
    if expected is not None and expected != old:
        raise DomainError(_("Someone else changed the phase a moment ago. Check what the change means now."), "phase")
    if new.value == old:
        raise DomainError(_("The process is already in %(phase)s.", phase=phase_label(new)), "phase")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(
            _(
                "Write why the phase changes, in at least %(min)d characters. Everyone sees it in the phase history.",
                min=MIN_REASON,
            ),
            "reason",
        )
    if len(reason) > MAX_REASON:
        raise DomainError(
            _(
                "The reason is too long: at most %(max)d characters, you wrote %(count)d.",
                max=MAX_REASON,
                count=len(reason),
            ),
            "reason",
        )
    if describe(process, new).guarded and not confirmed:
        raise DomainError(_("Confirm that you understand what this change means."), "confirm")
    # Compare and set: if someone else changed the phase since this page was read, say so.
    moved = db.session.execute(
        sa.update(Process)
        .where(Process.id == process.id, Process.current_phase == old)
        .values(current_phase=new.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise DomainError(_("Someone else changed the phase a moment ago. Look at the page again."), "phase")
    db.session.refresh(process)
    change = PhaseChange(process=process, from_phase=old, to_phase=new.value, changed_by=actor, note=reason)
    db.session.add(change)
    db.session.flush()
    return change
