"""Council positions: what the gemeenteraad (or one of its factions) decided or said, linked to issues.

A *raadsbesluit* is a decision of the whole council; a *motie* (motion) asks the college to do something;
a *toezegging* (commitment) is a promise of an alderman to the council; a *standpunt van een fractie* is
what one party in the council thinks. Each is recorded by the council's clerk (griffie) or a member.

Positions link to issues through `council_position_issues` and to covenants through
`council_position_covenants` (a covenant that commits municipal money or staff needs the council's approval).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow
from app.processes.models import PhaseKey
from app.rendered import html_column, markdown_columns, rules_column


class PositionKind(enum.StrEnum):
    COUNCIL_DECISION = "council_decision"  # raadsbesluit
    MOTION = "motion"  # motie
    COMMITMENT = "commitment"  # toezegging
    FACTION_POSITION = "faction_position"  # standpunt van een fractie


class Outcome(enum.StrEnum):
    APPROVED = "approved"  # aangenomen
    REJECTED = "rejected"  # verworpen
    POSTPONED = "postponed"  # aangehouden
    NOTED = "noted"  # voor kennisgeving


LABELS = {
    PositionKind.COUNCIL_DECISION: _l("council decision"),
    PositionKind.MOTION: _l("motion"),
    PositionKind.COMMITMENT: _l("commitment by the college"),
    PositionKind.FACTION_POSITION: _l("position of a faction"),
    Outcome.APPROVED: _l("adopted"),
    Outcome.REJECTED: _l("rejected"),
    Outcome.POSTPONED: _l("postponed"),
    Outcome.NOTED: _l("noted"),
}

# What the words mean, in plain language, for the council page.
EXPLANATIONS = {
    PositionKind.COUNCIL_DECISION: _l("A decision of the whole council, after a vote. This decision counts."),
    PositionKind.MOTION: _l("A request of the council to the college (the mayor and aldermen) to do something."),
    PositionKind.COMMITMENT: _l("A promise of an alderman to the council, for example to report back on time."),
    PositionKind.FACTION_POSITION: _l(
        "What one party in the council thinks. It is not a decision of the whole council."
    ),
    Outcome.APPROVED: _l("The council agreed."),
    Outcome.REJECTED: _l("The council did not agree."),
    Outcome.POSTPONED: _l("The council will decide later."),
    Outcome.NOTED: _l("The council heard or read it, without deciding."),
}


def label(value) -> str:
    """The plain-language label of a kind or outcome, in the current request's language.

    A `str`, so call it while rendering; form classes take their labels from LABELS, which stay lazy."""
    return str(LABELS[value]) if value in LABELS else str(value)


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


council_position_issues = sa.Table(
    "council_position_issues",
    db.metadata,
    sa.Column("position_id", sa.ForeignKey("council_positions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issue_id", sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True, index=True),
)

council_position_covenants = sa.Table(
    "council_position_covenants",
    db.metadata,
    sa.Column("position_id", sa.ForeignKey("council_positions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("covenant_id", sa.ForeignKey("covenants.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CouncilPosition(db.Model):
    __tablename__ = "council_positions"
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", _values(PositionKind)), name="kind_valid"),
        sa.CheckConstraint(in_check("outcome", _values(Outcome)), name="outcome_valid"),
        sa.CheckConstraint(in_check("phase", _values(PhaseKey)), name="phase_valid"),
        sa.CheckConstraint(f"kind <> '{PositionKind.FACTION_POSITION.value}' OR faction <> ''", name="faction_named"),
        sa.Index("ix_council_positions_process_decided", "process_id", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    faction: Mapped[str] = mapped_column(sa.String(120), default="")  # only for a faction position
    decided_on: Mapped[date] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(60))  # the council's number, e.g. "2026/014"
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    summary_html: Mapped[str] = html_column()  # rendered when saved (app/rendered.py)
    html_rules: Mapped[int] = rules_column()
    outcome: Mapped[str] = mapped_column(sa.String(20))
    # The moment in the process it belongs to (a checkpoint such as the interim stop), if any.
    phase: Mapped[str | None] = mapped_column(sa.String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Raised by every edit: an edit made on an older version is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    process = relationship("Process")
    recorded_by = relationship("User")
    issues = relationship("Issue", secondary=council_position_issues, order_by="Issue.id", passive_deletes=True)
    covenants = relationship(
        "Covenant", secondary=council_position_covenants, order_by="Covenant.id", passive_deletes=True
    )

    @property
    def issue_ids(self) -> list[int]:
        return [issue.id for issue in self.issues]

    @property
    def covenant_ids(self) -> list[int]:
        return [covenant.id for covenant in self.covenants]

    def __repr__(self) -> str:
        return f"<CouncilPosition {self.id} {self.kind} {self.reference!r}>"


markdown_columns(CouncilPosition, "summary")
