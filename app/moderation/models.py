"""The moderation log and reclassifications of the balance.

Every moderation action is one row of `ModerationAction`, with its reason: the
public log at /moderation/log reads this table and never shows who reported
something. Whether an issue or comment is shown is its `visibility`:

- ``visible``: shown to everyone;
- ``pending``: a new account's first contribution, waiting for a check (pre-moderation);
- ``auto_hidden``: hidden automatically after a number of reports, waiting for review;
- ``hidden``: hidden by the neighbourhood director;
- ``withdrawn`` (reactions only): withdrawn by its author; a placeholder keeps its replies in place.

Anything not visible shows as a placeholder with the reason; its author and moderators still see it.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow
from app.rendered import html_column, markdown_columns, rules_column


class Visibility(enum.StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"
    AUTO_HIDDEN = "auto_hidden"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"  # reactions only, by their author


class Action(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    APPROVE = "approve"  # a pre-moderated contribution is fine
    DISMISS = "dismiss"  # the reports were not right; the content stays
    AUTO_HIDE = "auto_hide"
    DECLINE = "decline"
    MERGE = "merge"
    LOCK = "lock"
    UNLOCK = "unlock"
    CLASSIFY = "classify"
    FEEDBACK = "feedback"
    WARN = "warn"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    RECLASSIFY = "reclassify"  # Puzzling, Powering or Participation
    APPROVE_EDIT = "approve_edit"  # a change to a checked contribution is fine (app/moderation/edits.py)
    REJECT_EDIT = "reject_edit"  # ... or not: the checked text stays


class Target(enum.StrEnum):
    ISSUE = "issue"
    COMMENT = "comment"
    USER = "user"


class ThreeP(enum.StrEnum):
    PUZZLING = "puzzling"
    POWERING = "powering"
    PARTICIPATION = "participation"


ACTION_LABELS = {
    Action.HIDE: _l("Hidden"),
    Action.RESTORE: _l("Shown again"),
    Action.APPROVE: _l("Approved after a check"),
    Action.DISMISS: _l("Reports declined, stays visible"),
    Action.AUTO_HIDE: _l("Hidden automatically after reports"),
    Action.DECLINE: _l("Issue not chosen"),
    Action.MERGE: _l("Issue merged"),
    Action.LOCK: _l("Discussion closed"),
    Action.UNLOCK: _l("Discussion opened again"),
    Action.CLASSIFY: _l("Classification changed"),
    Action.FEEDBACK: _l("Feedback given"),
    Action.WARN: _l("Account warned"),
    Action.SUSPEND: _l("Account suspended"),
    Action.REINSTATE: _l("Account allowed again"),
    Action.RECLASSIFY: _l("Counted differently in the balance"),
    Action.APPROVE_EDIT: _l("Change approved after a check"),
    Action.REJECT_EDIT: _l("Change not accepted"),
}

THREE_P_LABELS = {
    ThreeP.PUZZLING: _l("Puzzling"),
    ThreeP.POWERING: _l("Powering"),
    ThreeP.PARTICIPATION: _l("Participation"),
}


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


class ModerationAction(db.Model):
    """One thing a moderator (or the automatic rule) did, and why. The public log shows these."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        sa.CheckConstraint(in_check("action", _values(Action)), name="action_valid"),
        sa.CheckConstraint(in_check("target_type", _values(Target)), name="target_type_valid"),
        sa.Index("ix_moderation_actions_created", "created_at"),
        sa.Index("ix_moderation_actions_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    # The issue the action concerns (for a comment: its issue), so the log can link to it.
    issue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issues.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(20))
    target_type: Mapped[str] = mapped_column(sa.String(10))
    target_id: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.Text)
    reason_html: Mapped[str] = html_column()  # the log shows feedback as Markdown (app/rendered.py)
    html_rules: Mapped[int] = rules_column()
    # None: done automatically (after a number of reports).
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # What changed, for the log: old and new classification, the count of reports, the 3P category.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issue = relationship("Issue")
    process = relationship("Process")

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[Action(self.action)])


markdown_columns(ModerationAction, "reason")


class BalanceOverride(db.Model):
    """A moderator counted a contribution toward another of the three Ps than the mapping does."""

    __tablename__ = "balance_overrides"
    __table_args__ = (
        sa.UniqueConstraint("source", "target_id"),
        sa.CheckConstraint(in_check("category", _values(ThreeP)), name="category_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(20))  # the kind of row: issue, comment, agenda_revision
    target_id: Mapped[int] = mapped_column()
    category: Mapped[str] = mapped_column(sa.String(15))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
