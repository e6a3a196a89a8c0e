"""The one rule for what may be told: nothing hidden, nothing waiting for a check, nothing unpublished.

An event may be told (in the list, the header count, a mail, a digest) only while what it is about can be
seen by everyone: its issue and its reaction are ``visible`` (app/issues/visibility.py) and its process is
published (app/processes/visibility.py). The rule is asked when the event is recorded (`audience.fan_out`),
again when the list and the count are shown, and again when a mail or digest is composed: an issue hidden
after the event is no longer mentioned anywhere.

`event_shown()` is SQL on `Event` (correlated EXISTS on primary keys: cheap for one person's list), with its
own conditions, so it holds the same inside a request (where the request hooks add theirs, never less strict)
and in a worker outside any request.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.issues.models import Comment, Issue
from app.notifications.models import Event
from app.processes.models import Process

VISIBLE = "visible"
# Our own conditions decide; the request hooks must not hide a row from the check itself.
UNFILTERED = {"include_hidden": True, "include_unpublished": True}


def event_shown(event=Event) -> sa.ColumnElement[bool]:
    """SQL: the event's issue, reaction and process may be seen by everyone (`event`: Event or an alias)."""
    issue_of_comment = aliased(Issue)  # made per call: aliasing at import time would configure the mappers early
    return sa.and_(
        sa.or_(
            event.process_id.is_(None),
            sa.exists().where(Process.id == event.process_id, Process.published_at.is_not(None)),
        ),
        sa.or_(
            event.issue_id.is_(None),
            sa.exists().where(Issue.id == event.issue_id, Issue.visibility == VISIBLE),
        ),
        sa.or_(
            event.comment_id.is_(None),
            sa.exists().where(
                Comment.id == event.comment_id,
                Comment.visibility == VISIBLE,
                # a reaction is shown only on a shown issue (a merge may have moved it to another one)
                sa.exists().where(issue_of_comment.id == Comment.issue_id, issue_of_comment.visibility == VISIBLE),
            ),
        ),
    )


def is_shown(event_id: int) -> bool:
    """Whether this event may be told now (one query)."""
    stmt = sa.select(Event.id).where(Event.id == event_id, event_shown()).execution_options(**UNFILTERED)
    return db.session.scalar(stmt) is not None


def shown_issue_titles(ids) -> dict[int, str]:
    """Of these issue ids, the visible ones in a published process, with their current titles (a merge's
    target named in a line)."""
    ids = {int(i) for i in ids if str(i).isdigit()}
    if not ids:
        return {}
    stmt = (
        sa.select(Issue.id, Issue.title)
        .join(Process, Process.id == Issue.process_id)
        .where(Issue.id.in_(ids), Issue.visibility == VISIBLE, Process.published_at.is_not(None))
        .execution_options(**UNFILTERED)
    )
    return dict(db.session.execute(stmt).tuples().all())
