"""Working groups, agendas with immutable revisions, drafts kept during conflicts, links, consent rounds.

An agenda's content is one document (see app/revisions/documents.py): its texts as fields and its
activities as items with a stable id. Every save stores the whole document as a new, immutable
revision, so saving 5 or 50 activities costs the same. A *consent round* (instemmingsronde) asks
each member: agree, agree with concerns, or object; objections must be answered before agreement.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow
from app.rendered import html_column, markdown_columns, rules_column
from app.revisions.columns import DraftColumns, RevisionColumns, owner_column

HORIZONS = (1, 5, 10)


class AgendaStatus(enum.StrEnum):
    DRAFT = "draft"
    CONSENT = "consent"  # a consent round is open
    AGREED = "agreed"


class ActivityStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class MemberStatus(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    REJECTED = "rejected"


class Answer(enum.StrEnum):
    AGREE = "agree"
    CONCERNS = "concerns"
    OBJECT = "object"


class LinkKind(enum.StrEnum):
    DEPENDS = "depends"
    REINFORCES = "reinforces"
    CONFLICTS = "conflicts"


LABELS = {
    AgendaStatus.DRAFT: _l("being written"),
    AgendaStatus.CONSENT: _l("consent round open"),
    AgendaStatus.AGREED: _l("agreed"),
    MemberStatus.PENDING: _l("waiting for admission"),
    MemberStatus.ADMITTED: _l("member"),
    MemberStatus.REJECTED: _l("not admitted"),
    Answer.AGREE: _l("I agree"),
    Answer.CONCERNS: _l("I agree, with concerns"),
    Answer.OBJECT: _l("I object"),
    LinkKind.DEPENDS: _l("depends on"),
    LinkKind.REINFORCES: _l("reinforces"),
    LinkKind.CONFLICTS: _l("conflicts with"),
}


# Activity statuses apart: "agreed" means something else for an activity than for an agenda.
ACTIVITY_LABELS = {
    ActivityStatus.PROPOSED: _l("proposed"),
    ActivityStatus.AGREED: _l("agreed on"),
    ActivityStatus.IN_PROGRESS: _l("in progress"),
    ActivityStatus.DONE: _l("done"),
    ActivityStatus.DROPPED: _l("dropped"),
}


def activity_label(value) -> str:
    return str(ACTIVITY_LABELS.get(value, value))


def agenda_label(value) -> str:
    """A label in the current request's language: call it while rendering. Form classes use LABELS (lazy)."""
    return str(LABELS.get(value, value))


def revision_event(revision) -> str:
    """What the platform did in a revision, in the reader's language ("" for a plain save)."""
    args = revision.event_args or {}
    texts = {
        "restored": lambda: _("Revision %(n)d restored", n=args.get("n", 0)),
        "moved_out": lambda: _(
            "Activity '%(title)s' moved to the %(n)d-year agenda", title=args.get("title", ""), n=args.get("n", 0)
        ),
        "moved_in": lambda: _(
            "Activity '%(title)s' moved here from the %(n)d-year agenda",
            title=args.get("title", ""),
            n=args.get("n", 0),
        ),
        "resolved": lambda: _("Conflict resolved"),
        "removed": lambda: _("Removed '%(title)s'", title=args.get("title", "")),
        "reordered": lambda: _("Changed the order"),
    }
    return texts[revision.event]() if revision.event in texts else ""


def horizon_label(horizon: int) -> str:
    return ngettext("%(num)d-year agenda", "%(num)d-year agenda", horizon)


class WorkingGroupMember(db.Model):
    """A resident who asked to join an issue's working group. Partners and municipality roles belong by role."""

    __tablename__ = "working_group_members"
    __table_args__ = (
        sa.UniqueConstraint("issue_id", "user_id"),
        sa.CheckConstraint(in_check("status", [s.value for s in MemberStatus]), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=MemberStatus.PENDING.value)
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")


class Agenda(db.Model):
    __tablename__ = "agendas"
    __table_args__ = (
        sa.UniqueConstraint("issue_id", "horizon"),
        sa.CheckConstraint("horizon IN (1, 5, 10)", name="horizon_valid"),
        sa.CheckConstraint(in_check("status", [s.value for s in AgendaStatus]), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"))
    horizon: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(10), default=AgendaStatus.DRAFT.value)
    current_revision: Mapped[int] = mapped_column(default=0)  # 0: nothing written yet
    agreed_revision: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issue = relationship("Issue")


class AgendaRevision(RevisionColumns, db.Model):
    """One save: never changed afterwards (the columns: app/revisions/columns.py)."""

    __tablename__ = "agenda_revisions"
    owner_key = "agenda_id"

    agenda_id: Mapped[int] = owner_column("agendas.id")


class AgendaDraft(DraftColumns, db.Model):
    """An editor's version that met a conflict: kept, with the version it started from, until resolved."""

    __tablename__ = "agenda_drafts"
    owner_key = "agenda_id"

    agenda_id: Mapped[int] = owner_column("agendas.id")


class IssueLink(db.Model):
    """Coherence (samenhang): an issue or activity depends on, reinforces or conflicts with another."""

    __tablename__ = "issue_links"
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", [k.value for k in LinkKind]), name="kind_valid"),
        sa.CheckConstraint("from_issue_id <> to_issue_id OR from_activity <> to_activity", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    from_issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    from_activity: Mapped[str] = mapped_column(sa.String(40), default="")  # an activity id, or "" for the issue
    to_issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    to_activity: Mapped[str] = mapped_column(sa.String(40), default="")
    kind: Mapped[str] = mapped_column(sa.String(12))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    from_issue = relationship("Issue", foreign_keys=[from_issue_id])
    to_issue = relationship("Issue", foreign_keys=[to_issue_id])
    created_by = relationship("User")


class ConsentRound(db.Model):
    __tablename__ = "consent_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(sa.ForeignKey("agendas.id", ondelete="CASCADE"), index=True)
    revision_number: Mapped[int] = mapped_column()  # follows the agenda while the round is open
    open: Mapped[bool] = mapped_column(default=True)
    agreed: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConsentAnswer(db.Model):
    __tablename__ = "consent_answers"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id"),
        sa.CheckConstraint(in_check("answer", [a.value for a in Answer]), name="answer_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("consent_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    reason_html: Mapped[str] = html_column()  # rendered when saved (app/rendered.py)
    html_rules: Mapped[int] = rules_column()
    revision_number: Mapped[int] = mapped_column()  # the revision this answer was given on
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An objection is answered by a reply or by a new revision.
    response: Mapped[str] = mapped_column(sa.Text, default="")
    response_revision: Mapped[int | None] = mapped_column()
    responded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id])
    responded_by = relationship("User", foreign_keys=[responded_by_id])

    @property
    def open_objection(self) -> bool:
        return self.answer == Answer.OBJECT.value and self.responded_at is None


markdown_columns(ConsentAnswer, "reason")
