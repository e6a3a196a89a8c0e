"""Reaction threads: a reaction and its replies (one level), read in bounded pieces.

The issue page shows a page of threads with the first `REPLIES_SHOWN` replies of each, and a link
to the thread's own page for the rest (`REPLIES_PER_PAGE` a page), so a page costs the same
whether a thread has three replies or three thousand. Hidden replies keep their place as a
placeholder, as on the issue page: callers read inside `all_rows()` and `_comment.html` decides
what each visitor sees of them.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    return urls_of([comment])[comment.id]


def urls_of(comments: Iterable[Comment]) -> dict[int, str]:
    """`url_of` for many reactions at once (a list of someone's reactions), in at most two queries.

    Places count hidden reactions too: they keep their place on the page as a placeholder.
    """
    comments = list(comments)
    replies = [c for c in comments if c.parent_id is not None]
    reply_places = _places(Comment.parent_id, {c.parent_id for c in replies}, {c.id for c in replies})
    # A reply among a thread's first ones shows on the issue page, on the page of its thread.
    threads_needed = {c.id for c in comments if c.parent_id is None}
    threads_needed |= {c.parent_id for c in replies if reply_places.get(c.id, 0) <= REPLIES_SHOWN}
    thread_places = _places(
        Comment.issue_id,
        {c.issue_id for c in comments},
        threads_needed,
        Comment.parent_id.is_(None),
    )
    urls = {}
    for comment in comments:
        anchor = f"comment-{comment.id}"
        if comment.parent_id is None:
            page = _page(thread_places.get(comment.id, 1), THREADS_PER_PAGE)
            urls[comment.id] = url_for("issues.show", issue_id=comment.issue_id, page=page, _anchor=anchor)
            continue
        position = reply_places.get(comment.id, 1)
        if position <= REPLIES_SHOWN and comment.parent_id in thread_places:
            page = _page(thread_places[comment.parent_id], THREADS_PER_PAGE)
            urls[comment.id] = url_for("issues.show", issue_id=comment.issue_id, page=page, _anchor=anchor)
        else:
            page = _page(position, REPLIES_PER_PAGE)
            urls[comment.id] = url_for("threads.show", comment_id=comment.parent_id, page=page, _anchor=anchor)
    return urls


def _page(position: int, per_page: int) -> int | None:
    page = (position - 1) // per_page + 1
    return page if page > 1 else None


def _places(group, groups: set[int], ids: set[int], *where) -> dict[int, int]:
    """The place (from 1) of each reaction in `ids` among the reactions of its `group`, in the order shown."""
    if not ids:
        return {}
    ranked = (
        sa.select(Comment.id, sa.func.row_number().over(partition_by=group, order_by=ORDER).label("place"))
        .where(group.in_(groups), *where)
        .subquery()
    )
    stmt = sa.select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(ids))
    return dict(db.session.execute(stmt.execution_options(**INCLUDING_HIDDEN)).tuples().all())
