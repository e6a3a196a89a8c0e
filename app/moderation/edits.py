"""Changes to checked contributions that wait for a check (pre-moderation of edits).

When a process checks the first contributions of new accounts (`premoderate_first`), an author
could write something harmless, have it approved, and then change it into something nobody checked.
So a change by such an author to a contribution that is shown (see `edit_needs_check` in
app/moderation/visibility.py) is not applied: it is held here, one per contribution, and

- the checked version stays visible to everyone meanwhile, so the page never shows unchecked text
  and nothing disappears while the change waits (a contribution that became pending again would
  vanish from the discussion, and the replies to it would hang in the air);
- the author sees that the change waits, and a new change replaces the held one;
- the neighbourhood director sees both versions in the queue and approves the change (it is applied
  as if the author saved it then, and the earlier text becomes a revision) or rejects it (the checked
  text stays, and the author gets the reason), through `app.moderation.services.act`.

A held change remembers the text it started from (`base`), and approving it applies only what the
author changed, so a moderator's change of the classification meanwhile is not undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from app.accounts.models import Organisation
from app.errors import unique_or
from app.extensions import db
from app.issues.models import Comment, CommentRevision, Issue, IssueRevision, label
from app.models_common import UTCDateTime, in_check, utcnow
from app.revisions.textdiff import Line, line_diff


class PendingEdit(db.Model):
    """A change to an issue or a reaction that waits for a check; at most one per contribution."""

    __tablename__ = "pending_edits"
    __table_args__ = (
        sa.UniqueConstraint("target_type", "target_id"),
        sa.CheckConstraint(in_check("target_type", ["issue", "comment"]), name="target_type_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(10))
    target_id: Mapped[int] = mapped_column()
    # The issue (for a reaction: its issue), so the change goes when the issue goes.
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # {"base": the fields when the author started, "fields": the fields as the author wants them}
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    author = relationship("User")

    @property
    def changes(self) -> dict:
        """Only the fields the author changed."""
        base, fields = self.data.get("base", {}), self.data.get("fields", {})
        return {key: value for key, value in fields.items() if base.get(key) != value}


def target_type_of(target) -> str:
    return "issue" if isinstance(target, Issue) else "comment"


def held(target) -> PendingEdit | None:
    return db.session.scalar(
        sa.select(PendingEdit).where(
            PendingEdit.target_type == target_type_of(target), PendingEdit.target_id == target.id
        )
    )


def held_comment_ids(comment_ids: list[int], author_id: int | None = None) -> set[int]:
    """Which of these reactions have a change waiting (of this author, when given): one query."""
    if not comment_ids:
        return set()
    stmt = sa.select(PendingEdit.target_id).where(
        PendingEdit.target_type == "comment", PendingEdit.target_id.in_(comment_ids)
    )
    if author_id is not None:
        stmt = stmt.where(PendingEdit.author_id == author_id)
    return set(db.session.scalars(stmt))


def hold(author, target, fields: dict, base: dict) -> PendingEdit:
    """Keep the author's change for a check; a change already waiting is replaced (its base stays)."""
    existing = held(target)
    if existing is None:
        try:
            with unique_or(LookupError()):  # the same author saving twice at once: the second one updates
                existing = PendingEdit(
                    target_type=target_type_of(target),
                    target_id=target.id,
                    issue_id=target.id if isinstance(target, Issue) else target.issue_id,
                    author_id=author.id,
                    data={"base": base, "fields": fields},
                )
                db.session.add(existing)
            return existing
        except LookupError:
            existing = held(target)
    # The base stays the version the moderator will compare with: the text others see now.
    existing.data = {"base": existing.data.get("base", base), "fields": fields}
    existing.author_id, existing.created_at = author.id, utcnow()
    db.session.flush()
    return existing


def drop(target) -> None:
    db.session.execute(
        sa.delete(PendingEdit).where(
            PendingEdit.target_type == target_type_of(target), PendingEdit.target_id == target.id
        )
    )


@dataclass
class HeldItem:
    """A held change in the queue: the contribution, its issue, the change and what it changes."""

    edit: PendingEdit
    target: Issue | Comment
    issue: Issue

    @property
    def target_type(self) -> str:
        return self.edit.target_type


def waiting(limit: int = 50) -> tuple[list[HeldItem], int]:
    """Held changes, oldest first, with their contributions (hidden ones too), and how many there are."""
    from app.issues.visibility import including_hidden

    total = db.session.scalar(sa.select(sa.func.count()).select_from(PendingEdit))
    edits = db.session.scalars(
        sa.select(PendingEdit)
        .order_by(PendingEdit.created_at, PendingEdit.id)
        .limit(limit)
        .options(selectinload(PendingEdit.author))
    ).all()
    ids = {kind: [e.target_id for e in edits if e.target_type == kind] for kind in ("issue", "comment")}
    issues = {
        i.id: i
        for i in db.session.scalars(
            including_hidden(
                sa.select(Issue)
                .where(Issue.id.in_(ids["issue"] + [e.issue_id for e in edits]))
                .options(selectinload(Issue.process))
            )
        )
    }
    comments = {
        c.id: c for c in db.session.scalars(including_hidden(sa.select(Comment).where(Comment.id.in_(ids["comment"]))))
    }
    items = []
    for edit in edits:
        target = issues.get(edit.target_id) if edit.target_type == "issue" else comments.get(edit.target_id)
        issue = issues.get(edit.issue_id)
        if target is not None and issue is not None:
            items.append(HeldItem(edit, target, issue))
    return items, total


# --- showing a held change to the moderator ------------------------------------------------------

FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "body": _l("Text"),
    "stance": _l("What they think of the issue"),
    "kind": _l("Kind of reaction"),
    "domains": _l("Domains"),
    "breadth": _l("One subject or broad"),
    "scale": _l("Size"),
    "term": _l("Term"),
    "place": _l("Place"),
    "organisation_ids": _l("Organisations to involve"),
    "involve_others": _l("Who else should be involved"),
}
LONG_TEXTS = ("description", "body", "involve_others")


@dataclass
class FieldChange:
    """One field of a held change: shown now (`before`) and wanted (`after`), with a line diff for long texts."""

    name: str
    before: str
    after: str
    lines: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.name, self.name))


def current_fields(target) -> dict:
    """The fields of the contribution as everyone sees them now, in the form a held change keeps them."""
    if isinstance(target, Comment):
        return {"body": target.body, "stance": target.stance, "kind": target.kind}
    return {
        "title": target.title,
        "description": target.description,
        "scale": target.scale,
        "term": target.term,
        "breadth": target.breadth,
        "domains": sorted(d.value for d in target.domains),
        "place": target.place,
        "involve_others": target.involve_others,
        "organisation_ids": sorted(row.organisation_id for row in target.involved_rows),
    }


def compare(edit: PendingEdit, target) -> list[FieldChange]:
    """What the held change would change, compared with what is shown now."""
    now = current_fields(target)
    wanted = {key: value for key, value in edit.changes.items() if now.get(key) != value}
    names = _organisation_names(wanted.get("organisation_ids", []) + now.get("organisation_ids", []))
    changes = []
    for name in FIELD_LABELS:
        if name not in wanted:
            continue
        before, after = _readable(name, now.get(name), names), _readable(name, wanted[name], names)
        lines = line_diff(before, after) if name in LONG_TEXTS else []
        changes.append(FieldChange(name, before, after, lines))
    return changes


def _readable(name: str, value, names: dict[int, str]) -> str:
    if name == "organisation_ids":
        return ", ".join(names.get(i, "?") for i in value or [])
    if name == "domains":
        return ", ".join(label(v) for v in value or [])
    if name in ("stance", "kind", "scale", "term", "breadth"):
        return label(value)
    return str(value or "")


def _organisation_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        db.session.execute(sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).tuples()
    )


def earlier_versions(target, limit: int = 50) -> list:
    """What the contribution said before each change by its author, newest first (moderators see these)."""
    if isinstance(target, Comment):
        stmt = sa.select(CommentRevision).where(CommentRevision.comment_id == target.id)
        order = (CommentRevision.replaced_at.desc(), CommentRevision.id.desc())
    else:
        stmt = sa.select(IssueRevision).where(IssueRevision.issue_id == target.id)
        order = (IssueRevision.replaced_at.desc(), IssueRevision.id.desc())
    return db.session.scalars(stmt.order_by(*order).limit(limit)).all()
