"""Processes and their phases.

A *proces* is one pilot in one neighbourhood (wijk), such as "Wijk van de
toekomst Buytenwegh". It runs through phases 0 to 4 with an interim stop
(tussenstop) between phase 2 and 3; the wijkregisseur sets the current phase.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow
from app.rendered import html_column, markdown_columns, rules_column


class PhaseKey(enum.StrEnum):
    APPROACH = "approach"  # 0: uitwerken aanpak
    PARTICIPANTS = "participants"  # 1: selectie deelnemers
    ISSUES = "issues"  # 2: selectie van issues
    INTERIM = "interim"  # tussenstop
    AGENDAS = "agendas"  # 3: ontwikkelen van agenda's
    COVENANTS = "covenants"  # 4: bekrachtiging in convenanten


@dataclass(frozen=True)
class PhaseInfo:
    key: PhaseKey
    number: str  # shown as "Fase 2"; the interim stop has none
    title: object  # lazy string
    summary: object


PHASES: tuple[PhaseInfo, ...] = (
    PhaseInfo(
        PhaseKey.APPROACH,
        "0",
        _l("Plan of approach"),
        _l("We make the plan: who does what, when, and how we learn from it."),
    ),
    PhaseInfo(
        PhaseKey.PARTICIPANTS,
        "1",
        _l("Choosing participants"),
        _l("We look for the right mix of residents, organisations, businesses and networks."),
    ),
    PhaseInfo(
        PhaseKey.ISSUES,
        "2",
        _l("Choosing issues"),
        _l("Residents and partners propose subjects, talk about them and vote. Together we choose the most important."),
    ),
    PhaseInfo(
        PhaseKey.INTERIM,
        "",
        _l("Interim stop"),
        _l("We look back together: what went well, what should change, and how it fits the city's strategy."),
    ),
    PhaseInfo(
        PhaseKey.AGENDAS,
        "3",
        _l("Making agendas"),
        _l(
            "For each chosen subject we write a plan for 1, 5 and 10 years: what we do, who is responsible and what it needs."  # noqa: E501
        ),
    ),
    PhaseInfo(
        PhaseKey.COVENANTS,
        "4",
        _l("Signing covenants"),
        _l("The plans become agreements. The boards of the partners and the aldermen sign them."),
    ),
)
PHASE_INFO = {p.key: p for p in PHASES}
PHASE_ORDER = [p.key for p in PHASES]


def phase_label(key: str | PhaseKey) -> str:
    info = PHASE_INFO[PhaseKey(key)]
    if info.number:
        return gettext("Phase %(number)s: %(title)s", number=info.number, title=info.title)
    return str(info.title)


class Process(db.Model):
    __tablename__ = "processes"
    __table_args__ = (
        sa.CheckConstraint(in_check("current_phase", [k.value for k in PhaseKey]), name="current_phase_valid"),
        sa.CheckConstraint("premoderate_first >= 0 AND auto_hide_after >= 0", name="moderation_settings_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    neighbourhood: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    plan: Mapped[str] = mapped_column(sa.Text, default="")
    # Both rendered when saved (app/rendered.py).
    description_html: Mapped[str] = html_column()
    plan_html: Mapped[str] = html_column()
    html_rules: Mapped[int] = rules_column()
    current_phase: Mapped[str] = mapped_column(sa.String(20), default=PhaseKey.APPROACH.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Moderation settings: how many first contributions of a new account wait for a check (0: none),
    # and after how many reports a contribution is hidden until reviewed (0: never).
    premoderate_first: Mapped[int] = mapped_column(default=0, server_default="0")
    auto_hide_after: Mapped[int] = mapped_column(default=3, server_default="3")
    # A new process is prepared out of sight: until the wijkregisseur publishes it, only the people
    # preparing it see it (app/processes/visibility.py).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    phases: Mapped[list[ProcessPhase]] = relationship(
        back_populates="process", cascade="all, delete-orphan", lazy="selectin"
    )
    phase_changes: Mapped[list[PhaseChange]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="PhaseChange.changed_at.desc()"
    )

    published_by = relationship("User", foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def current_phase_key(self) -> PhaseKey:
        return PhaseKey(self.current_phase)

    def phase(self, key: str | PhaseKey) -> ProcessPhase | None:
        key = PhaseKey(key).value
        return next((p for p in self.phases if p.key == key), None)

    def timeline(self) -> list[tuple[PhaseInfo, ProcessPhase | None, str]]:
        """Every phase in order with its dates and 'done', 'current' or 'upcoming'."""
        current = PHASE_ORDER.index(self.current_phase_key)
        rows = []
        for index, info in enumerate(PHASES):
            state = "done" if index < current else "current" if index == current else "upcoming"
            rows.append((info, self.phase(info.key), state))
        return rows

    def __repr__(self) -> str:
        return f"<Process {self.slug}>"


markdown_columns(Process, "description", "plan")


class ProcessPhase(db.Model):
    """The dates and a short text for one phase of one process."""

    __tablename__ = "process_phases"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "key"),
        sa.CheckConstraint(in_check("key", [k.value for k in PhaseKey]), name="key_valid"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(20))
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The balance of Puzzling, Powering and Participation the neighbourhood director aims for (percent).
    target_puzzling: Mapped[int | None] = mapped_column()
    target_powering: Mapped[int | None] = mapped_column()
    target_participation: Mapped[int | None] = mapped_column()

    process: Mapped[Process] = relationship(back_populates="phases")


class PhaseChange(db.Model):
    """Who moved a process to which phase, when and why: part of the learning log."""

    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[str] = mapped_column(sa.String(20))
    to_phase: Mapped[str] = mapped_column(sa.String(20))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    process: Mapped[Process] = relationship(back_populates="phase_changes")
    changed_by = relationship("User")
