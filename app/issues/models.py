"""Issues and everything people do with them in phase 2.

An *onderwerp* (issue) is a problem or idea a resident or partner brings in.
People support it (once each), discuss it in comments with a stance and a kind,
and spread points over issues in the prioritisation round (*dot voting*). The
wijkregisseur or wethouder then shortlists, merges or declines issues.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import SECTOR_LABELS, Sector
from app.extensions import db
from app.issues.attachment_models import AttachmentKind, IssueAttachment  # noqa: F401  (photos and PDFs)
from app.models_common import UTCDateTime, in_check, utcnow
from app.rendered import html_column, markdown_columns, rules_column


class Scale(enum.StrEnum):
    SMALL = "small"
    LARGE = "large"


class Term(enum.StrEnum):
    SHORT = "short"
    LONG = "long"


class Breadth(enum.StrEnum):
    SINGLE = "single"
    BROAD = "broad"


class IssueStatus(enum.StrEnum):
    OPEN = "open"
    SHORTLISTED = "shortlisted"
    MERGED = "merged"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class CommentKind(enum.StrEnum):
    ARGUMENT = "argument"  # argument or evidence (Puzzling)
    EXPERIENCE = "experience"  # experience or idea
    QUESTION = "question"


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


ACTIVE = (IssueStatus.OPEN.value, IssueStatus.SHORTLISTED.value)
# The values of app.moderation.models.Visibility (kept here as plain strings to avoid an import cycle).
VISIBILITIES = ("visible", "pending", "auto_hidden", "hidden")
# A reaction can also be withdrawn by its author: a placeholder stays, with its replies.
COMMENT_VISIBILITIES = (*VISIBILITIES, "withdrawn")


def lock_issue(issue_id: int, share: bool = False):
    """Load an issue fresh and lock its row until the transaction ends (PostgreSQL; SQLite serialises writes).

    `share` lets several requests hold it at once (points), while a merge or decision waits for them.
    Hidden issues too (app/issues/visibility.py): the caller checks `is_visible` under the lock.
    """
    stmt = (
        sa.select(Issue)
        .where(Issue.id == issue_id)
        .with_for_update(read=share)
        .execution_options(populate_existing=True, include_hidden=True)
    )
    return db.session.scalar(stmt)


LABELS = {
    Scale.SMALL: _l("small"),
    Scale.LARGE: _l("large"),
    Term.SHORT: _l("short term"),
    Term.LONG: _l("long term"),
    Breadth.SINGLE: _l("one subject"),
    Breadth.BROAD: _l("broad"),
    IssueStatus.OPEN: _l("open"),
    IssueStatus.SHORTLISTED: _l("chosen for an agenda"),
    IssueStatus.MERGED: _l("merged"),
    IssueStatus.DECLINED: _l("not chosen"),
    IssueStatus.WITHDRAWN: _l("withdrawn"),
    Stance.FOR: _l("for"),
    Stance.AGAINST: _l("against"),
    Stance.NEUTRAL: _l("neutral"),
    CommentKind.ARGUMENT: _l("argument or evidence"),
    CommentKind.EXPERIENCE: _l("experience or idea"),
    CommentKind.QUESTION: _l("question"),
    RoundStatus.DRAFT: _l("not open yet"),
    RoundStatus.OPEN: _l("open"),
    RoundStatus.CLOSED: _l("closed"),
    **SECTOR_LABELS,
}


def label(value) -> str:
    """The plain-language label of any of the values above, in the current request's language.

    A `str`, so call it while rendering; a form class (built at import) takes its labels from LABELS,
    which stay lazy (app.forms_common.enum_options)."""
    return str(LABELS[value]) if value in LABELS else str(value)


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


class Issue(db.Model):
    __tablename__ = "issues"
    __table_args__ = (
        sa.CheckConstraint(in_check("scale", _values(Scale)), name="scale_valid"),
        sa.CheckConstraint(in_check("term", _values(Term)), name="term_valid"),
        sa.CheckConstraint(in_check("breadth", _values(Breadth)), name="breadth_valid"),
        sa.CheckConstraint(in_check("status", _values(IssueStatus)), name="status_valid"),
        sa.CheckConstraint(in_check("visibility", VISIBILITIES), name="visibility_valid"),
        sa.CheckConstraint("support_count >= 0 AND comment_count >= 0", name="counts_positive"),
        sa.Index("ix_issues_process_status_created", "process_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    description: Mapped[str] = mapped_column(sa.Text)
    description_html: Mapped[str] = html_column()  # rendered when saved (app/rendered.py)
    scale: Mapped[str] = mapped_column(sa.String(10))
    term: Mapped[str] = mapped_column(sa.String(10))
    breadth: Mapped[str] = mapped_column(sa.String(10))
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    involve_others: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=IssueStatus.OPEN.value)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issues.id", ondelete="SET NULL"))
    # Kept in step with the supports and comments tables in the same transaction, so lists need no counting.
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Lower-cased title and description, for search and for finding similar issues on every database.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The Groene Loper: when the municipality or a partner first answered a resident's issue.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author_was_resident: Mapped[bool] = mapped_column(default=False)
    # Moderation (app/moderation): shown or not and why; a closed discussion; public feedback.
    visibility: Mapped[str] = mapped_column(sa.String(12), default="visible", server_default="visible")
    moderation_note: Mapped[str] = mapped_column(sa.Text, default="")
    discussion_locked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    feedback: Mapped[str] = mapped_column(sa.Text, default="")
    feedback_html: Mapped[str] = html_column()
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    html_rules: Mapped[int] = rules_column()

    process = relationship("Process")
    author = relationship("User")
    merged_into: Mapped[Issue | None] = relationship(remote_side=[id])
    domain_rows: Mapped[list[IssueDomain]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="IssueDomain.domain"
    )
    involved_rows: Mapped[list[IssueOrganisation]] = relationship(cascade="all, delete-orphan")

    @property
    def domains(self) -> list[Sector]:
        return [Sector(row.domain) for row in self.domain_rows]

    def set_domains(self, domains) -> None:
        wanted = {Sector(d).value for d in domains}
        self.domain_rows = [row for row in self.domain_rows if row.domain in wanted]
        have = {row.domain for row in self.domain_rows}
        self.domain_rows.extend(IssueDomain(domain=d) for d in sorted(wanted - have))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_visible(self) -> bool:
        return self.visibility == "visible"

    def __repr__(self) -> str:
        return f"<Issue {self.id} {self.title!r}>"


class IssueDomain(db.Model):
    __tablename__ = "issue_domains"
    __table_args__ = (sa.CheckConstraint(in_check("domain", _values(Sector)), name="domain_valid"),)

    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class IssueOrganisation(db.Model):
    """An organisation from the register that should be involved in an issue."""

    __tablename__ = "issue_organisations"

    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    organisation = relationship("Organisation", lazy="joined")


class IssueRevision(db.Model):
    """The text of an issue as it was before an edit by its author."""

    __tablename__ = "issue_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    description: Mapped[str] = mapped_column(sa.Text)
    description_html: Mapped[str] = html_column()
    html_rules: Mapped[int] = rules_column()
    # The classification as it was: domains, scale, term, breadth, place and organisations.
    classification: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IssueStatusChange(db.Model):
    __tablename__ = "issue_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    reason_html: Mapped[str] = html_column()
    html_rules: Mapped[int] = rules_column()
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set on the target's entry when another issue was merged into it.
    merged_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issues.id", ondelete="SET NULL"))

    changed_by = relationship("User")
    merged_from = relationship("Issue", foreign_keys=[merged_from_id])

    @property
    def is_merge_note(self) -> bool:
        """The note on a merge's target (its status stays); not a decision (app/issues/decisions.py)."""
        return self.merged_from_id is not None or (self.from_status is not None and self.from_status == self.to_status)


class Support(db.Model):
    """One person supports one issue, once: the unique constraint guarantees it."""

    __tablename__ = "supports"
    __table_args__ = (sa.UniqueConstraint("issue_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint(in_check("stance", _values(Stance)), name="stance_valid"),
        sa.CheckConstraint(in_check("kind", _values(CommentKind)), name="kind_valid"),
        sa.CheckConstraint(in_check("visibility", COMMENT_VISIBILITIES), name="visibility_valid"),
        sa.Index("ix_comments_issue_created", "issue_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = html_column()  # rendered when saved (app/rendered.py)
    html_rules: Mapped[int] = rules_column()
    stance: Mapped[str] = mapped_column(sa.String(10), default=Stance.NEUTRAL.value)
    kind: Mapped[str] = mapped_column(sa.String(12), default=CommentKind.EXPERIENCE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    visibility: Mapped[str] = mapped_column(sa.String(12), default="visible", server_default="visible")
    moderation_note: Mapped[str] = mapped_column(sa.Text, default="")
    # When its author last changed it (app/issues/comments.py); the earlier texts are CommentRevisions.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author = relationship("User")
    issue = relationship("Issue", viewonly=True)

    @property
    def is_visible(self) -> bool:
        return self.visibility == "visible"

    @property
    def is_withdrawn(self) -> bool:
        return self.visibility == "withdrawn"


class CommentRevision(db.Model):
    """A reaction as it was before its author changed it. Only moderators see these."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = html_column()
    html_rules: Mapped[int] = rules_column()
    stance: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(12))
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


markdown_columns(Issue, "description", "feedback")
markdown_columns(IssueRevision, "description")
markdown_columns(IssueStatusChange, "reason")
markdown_columns(Comment, "body")
markdown_columns(CommentRevision, "body")


class Report(db.Model):
    """Someone reported an issue or a comment; the moderation queue reads these."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("target_type", "target_id", "reporter_id"),
        sa.CheckConstraint(in_check("target_type", ["issue", "comment"]), name="target_type_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(10))
    target_id: Mapped[int] = mapped_column()
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("issue_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PriorityRound(db.Model):
    """The prioritisation round of a process: everyone spreads the same number of points."""

    __tablename__ = "priority_rounds"
    __table_args__ = (
        sa.CheckConstraint(in_check("status", _values(RoundStatus)), name="status_valid"),
        sa.CheckConstraint("points_per_person > 0 AND max_per_issue > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=RoundStatus.DRAFT.value)
    points_per_person: Mapped[int] = mapped_column(default=5)
    max_per_issue: Mapped[int] = mapped_column(default=3)
    results_while_open: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    process = relationship("Process")


class Ballot(db.Model):
    """One person's points in one round. Its row is locked while the points change, so the budget holds."""

    __tablename__ = "ballots"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id"),
        sa.CheckConstraint("points_used >= 0", name="points_used_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("priority_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    voter_role: Mapped[str] = mapped_column(sa.String(20))  # resident or partner, when the ballot was made
    points_used: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Allocation(db.Model):
    __tablename__ = "allocations"
    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "issue_id"),
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.Index("ix_allocations_issue", "issue_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column()
