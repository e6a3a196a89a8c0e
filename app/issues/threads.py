"""Reaction threads: a reaction and its replies (one level), read in bounded pieces.

The issue page shows a page of threads with the first `REPLIES_SHOWN` replies of each, and a link
to the thread's own page for the rest (`REPLIES_PER_PAGE` a page), so a page costs the same
whether a thread has three replies or three thousand. Hidden replies keep their place as a
placeholder, as on the issue page: callers read inside `all_rows()` and `_comment.html` decides
what each visitor sees of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, User
from app.extensions import db
from app.issues.models import Comment
from app.issues.visibility import INCLUDING_HIDDEN

REPLIES_SHOWN = 10  # on the issue page, per thread
REPLIES_PER_PAGE = 50  # on a thread's own page

ORDER = (Comment.created_at, Comment.id)


def with_authors(stmt):
    """Load each reaction's author with their organisations (for the byline) in a fixed number of queries."""
    return stmt.options(
        selectinload(Comment.author).selectinload(User.memberships).selectinload(Membership.organisation)
    )


def first_replies(thread_ids: list[int]) -> tuple[dict[int, list[Comment]], dict[int, int]]:
    """The first `REPLIES_SHOWN` replies of each thread, and how many replies each thread has (two queries)."""
    limit = REPLIES_SHOWN
    if not thread_ids:
        return {}, {}
    ranked = (
        sa.select(
            Comment.id,
            sa.func.row_number().over(partition_by=Comment.parent_id, order_by=ORDER).label("position"),
        )
        .where(Comment.parent_id.in_(thread_ids))
        .subquery()
    )
    replies: dict[int, list[Comment]] = {}
    stmt = sa.select(Comment).join(ranked, ranked.c.id == Comment.id).where(ranked.c.position <= limit)
    for reply in db.session.scalars(with_authors(stmt).order_by(*ORDER)):
        replies.setdefault(reply.parent_id, []).append(reply)
    counts = dict(
        db.session.execute(
            sa.select(Comment.parent_id, sa.func.count())
            .where(Comment.parent_id.in_(thread_ids))
            .group_by(Comment.parent_id)
        ).all()
    )
    return replies, counts


def replies_page(thread: Comment, page: int):
    """One page of a thread's replies, oldest first."""
    stmt = with_authors(sa.select(Comment).where(Comment.parent_id == thread.id)).order_by(*ORDER)
    return db.paginate(stmt, page=page, per_page=REPLIES_PER_PAGE, error_out=False)


THREADS_PER_PAGE = 30  # threads on a page of the issue page


def url_of(comment: Comment) -> str:
    """Where a reaction is shown: its page of the issue page, or of its thread's own page, at its place."""
    anchor = f"comment-{comment.id}"
    if comment.parent_id is None:
        before = _position(Comment.issue_id == comment.issue_id, Comment.parent_id.is_(None), comment=comment)
        page = (before - 1) // THREADS_PER_PAGE + 1
        return url_for("issues.show", issue_id=comment.issue_id, page=page if page > 1 else None, _anchor=anchor)
    position = _position(Comment.parent_id == comment.parent_id, comment=comment)
    thread = db.session.get(Comment, comment.parent_id, execution_options=INCLUDING_HIDDEN)
    if position <= REPLIES_SHOWN and thread is not None:
        return url_for("issues.show", issue_id=comment.issue_id, page=_page_of(thread), _anchor=anchor)
    page = (position - 1) // REPLIES_PER_PAGE + 1
    return url_for("threads.show", comment_id=comment.parent_id, page=page if page > 1 else None, _anchor=anchor)


def _page_of(thread: Comment) -> int | None:
    position = _position(Comment.issue_id == thread.issue_id, Comment.parent_id.is_(None), comment=thread)
    page = (position - 1) // THREADS_PER_PAGE + 1
    return page if page > 1 else None


def _position(*where, comment: Comment) -> int:
    """The place (from 1) of `comment` among the reactions matching `where`, in the order they are shown."""
    earlier = sa.or_(
        Comment.created_at < comment.created_at,
        sa.and_(Comment.created_at == comment.created_at, Comment.id <= comment.id),
    )
    stmt = sa.select(sa.func.count()).select_from(Comment).where(*where, earlier)
    return db.session.scalar(stmt.execution_options(**INCLUDING_HIDDEN))
