"""The one rule for what people see of issues and reactions: only what is visible.

An issue or a reaction (comment) is shown when its `visibility` is ``visible``. One waiting for a
check (``pending``), hidden after reports (``auto_hidden``) or hidden by the neighbourhood director
(``hidden``) is not: app/moderation/visibility.py decides how they get there.

How the rule is applied
-----------------------
Not by each query remembering a WHERE clause, but once, for every query: a `do_orm_execute` hook on
the session adds ``visibility = 'visible'`` for `Issue` and `Comment` (`with_loader_criteria`) to
every ORM SELECT made while serving a request. That is every page, every API endpoint, and the
congress export, whose job and CLI command run inside a GET request context (app/exports/jobs.py,
app/cli.py). The criterion reaches lists, counts, joins, subqueries, pagination, eager loads and the
relationships of what such a query loaded: `agenda.issue`, `link.to_issue`, `change.merged_from` or
`comment.issue` are None for a hidden issue, and `position.issues` leaves it out. So a new page,
form dropdown or endpoint cannot forget it: it has to ask for hidden rows to get them.

Asking for hidden rows (always next to a policy check that decides what is shown)
-------------------------------------------------------------------------------
- one statement: `including_hidden(stmt)`, or `.execution_options(include_hidden=True)`;
- one object by id: `get_including_hidden(Issue, issue_id)`;
- a block of statements (pagination makes a second, counting query): `with all_rows(): ...`.

Objects loaded that way bring their relationships unfiltered. Who asks:
- the issue page and its actions (`issue_or_404`): then the policy shows the text only to the author and
  the moderators, and a placeholder with the reason to others; its reactions likewise (`_comment.html`);
- the moderation queue, item pages and actions: moderators handle hidden contributions;
- row locks of write services (`lock_issue`): they then check visibility themselves, under the lock;
- the balance of Puzzling, Powering and Participation: it counts events (a decision taken on an issue
  that is hidden later still happened) and never shows their content; it keeps its own conditions.

What the hook leaves alone, on purpose
--------------------------------------
- Writes (UPDATE, DELETE) and refreshes of loaded objects: services act on rows they checked.
- Code outside a request (maintenance commands, migrations, tests reading the database) sees every row,
  unless it opens `public_only()` (for a future job that publishes something outside a request).
- `db.session.get` finds an object already in the session's identity map without a query; inside a
  request that object was loaded by a query that passed the rule, or deliberately asked for hidden rows.
- Denormalised counters (`support_count`, `comment_count`) are numbers, not content.

Services that publish something or name another issue (a merge, a link between issues, a decision)
check `is_visible` themselves as well, because the CLI can call them outside a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.orm import Session, with_loader_criteria

from app.extensions import db

VISIBLE = "visible"
OPTION = "include_hidden"
_ALL_ROWS = "visibility_all_rows"  # session.info: a counter of open `all_rows()` blocks
_PUBLIC = "visibility_public"  # session.info: a counter of open `public_only()` blocks
INCLUDING_HIDDEN = {OPTION: True}  # for `db.session.get(..., execution_options=INCLUDING_HIDDEN)`


def shown(model) -> sa.ColumnElement[bool]:
    """SQL: the issue or reaction is visible (for services that must hold the rule outside requests too)."""
    return model.visibility == VISIBLE


def including_hidden(stmt):
    """The statement, asking for hidden and pending rows too."""
    return stmt.execution_options(**INCLUDING_HIDDEN)


def get_including_hidden(model, ident):
    """`db.session.get` that also finds a hidden or pending row."""
    return db.session.get(model, ident, execution_options=INCLUDING_HIDDEN)


@contextmanager
def _counting(key: str) -> Iterator[None]:
    info = db.session.info
    info[key] = info.get(key, 0) + 1
    try:
        yield
    finally:
        info[key] -= 1


def all_rows():
    """Within the block, this session's queries also return hidden and pending rows."""
    return _counting(_ALL_ROWS)


def public_only():
    """Within the block, the rule holds outside a request too (a job that publishes something)."""
    return _counting(_PUBLIC)


def _applies(state) -> bool:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return False  # relationship loads carry the criteria of the query that loaded their parent
    if state.execution_options.get(OPTION) or state.session.info.get(_ALL_ROWS):
        return False
    return has_request_context() or bool(state.session.info.get(_PUBLIC))


def _only_visible(state) -> None:
    if not _applies(state):
        return
    from app.issues.models import Comment, Issue

    state.statement = state.statement.options(
        *(
            with_loader_criteria(
                model, lambda cls: cls.visibility == "visible", include_aliases=True, track_closure_variables=False
            )
            for model in (Issue, Comment)
        )
    )


def register(app) -> None:
    """Install the hook once for every session (the listener is global, like the mail hooks)."""
    if not sa.event.contains(Session, "do_orm_execute", _only_visible):
        sa.event.listen(Session, "do_orm_execute", _only_visible)
