"""Reactions after they are placed: their author changes or withdraws them.

- Changing: for as long as an issue may be corrected (`ISSUE_EDIT_MINUTES` after placing; the rule is
  `comment.edit` in app/issues/permissions.py). The reaction then says "edited" with the time, and
  the earlier text is kept as a `CommentRevision`, which moderators see on the moderation page.
  With pre-moderation on, a change may wait for a check first (app/moderation/edits.py).
- Withdrawing: at any time. The reaction becomes a placeholder ("Withdrawn by the author"); the
  answers to it stay where they are. The text stays for moderators; open reports are closed, since
  nothing of it is shown any more.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.errors import DomainError
from app.extensions import db
from app.issues.models import Comment, CommentKind, CommentRevision, Stance
from app.models_common import utcnow
from app.moderation import edits
from app.moderation.visibility import edit_needs_check, resolve_reports
from app.submissions import SAME_WINDOW

COMMENT_MAX = 5_000
FIELDS = ("body", "stance", "kind")


def check(body: str, stance: str, kind: str) -> dict:
    """The reaction's fields, cleaned, or a DomainError for the field that is wrong."""
    body = (body or "").strip()
    if len(body) < 2:
        raise DomainError(_("Write your reaction."), "body")
    if len(body) > COMMENT_MAX:
        raise DomainError(_("Keep your reaction under %(n)d characters.", n=COMMENT_MAX), "body")
    if stance not in {s.value for s in Stance}:
        raise DomainError(_("Choose one of the options."), "stance")
    if kind not in {k.value for k in CommentKind}:
        raise DomainError(_("Choose one of the options."), "kind")
    return {"body": body, "stance": stance, "kind": kind}


def fields_of(comment: Comment) -> dict:
    return {name: getattr(comment, name) for name in FIELDS}


def just_placed(author_id: int, issue_id: int, parent_id: int | None, body: str, now: datetime | None = None):
    """The same reaction by the same person in the same place a moment ago (sent twice), or None."""
    from app.issues.visibility import including_hidden

    since = (now or utcnow()) - SAME_WINDOW
    return db.session.scalar(
        including_hidden(
            sa.select(Comment)
            .where(
                Comment.author_id == author_id,
                Comment.issue_id == issue_id,
                Comment.parent_id.is_(None) if parent_id is None else Comment.parent_id == parent_id,
                Comment.body == body,
                Comment.created_at >= since,
                Comment.visibility != "withdrawn",
            )
            .order_by(Comment.id)
            .limit(1)
        )
    )


def edit(editor, comment: Comment, body: str, stance: str, kind: str) -> bool:
    """The author changes the reaction. False: the change waits for a check (nothing changed yet)."""
    wanted = check(body, stance, kind)
    current = fields_of(comment)
    if wanted == current:
        edits.drop(comment)  # back to the text that is shown: nothing waits any more
        return True
    if edit_needs_check(editor, comment):
        edits.hold(editor, comment, wanted, base=current)
        db.session.flush()
        return False
    apply(editor.id, comment, wanted)
    edits.drop(comment)
    return True


def apply(editor_id: int | None, comment: Comment, wanted: dict) -> None:
    """Change the reaction and keep what it said before (also when a moderator approves a held change)."""
    before = fields_of(comment)
    if all(before[name] == wanted.get(name, before[name]) for name in FIELDS):
        return
    db.session.add(CommentRevision(comment_id=comment.id, edited_by_id=editor_id, **before))
    for name in FIELDS:
        if name in wanted:
            setattr(comment, name, wanted[name])
    comment.edited_at = utcnow()
    db.session.flush()


def withdraw(author, comment: Comment) -> None:
    """The author takes the reaction back: a placeholder stays, with the answers to it."""
    if comment.is_withdrawn:
        return  # sent twice: it is withdrawn, as asked
    comment.visibility = "withdrawn"
    edits.drop(comment)
    resolve_reports("comment", comment.id)
    db.session.flush()
