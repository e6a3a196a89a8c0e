"""Which processes a person may see: the one rule for unpublished processes.

A new process is prepared out of sight. Until the wijkregisseur publishes it, only the people who
prepare it (the wijkregisseur, facilitators and administrators) see it, with a "not published"
banner; for everyone else the process and everything in it (issues, comments, agendas, covenants,
council positions, moderation log entries) does not exist: lists leave it out and its pages answer 404.

How the rule is applied
-----------------------
Like the rule for hidden issues (app/issues/visibility.py): once, for every query, not per page. A
`do_orm_execute` hook adds to every ORM SELECT made while serving a request of someone who is not a
preparer: ``processes.published_at IS NOT NULL`` for `Process`, and for every model with a
`process_id` (issues, priority rounds, links, covenants, council positions, moderation actions,
phase changes...) that its process is published. Lists, counts, joins, `db.session.get`, pagination
and the relationships of what such a query loaded all follow it, so a new page, dropdown or endpoint
cannot forget it. Things that hang off those (comments, agendas, covenant versions) are reached
through their issue or covenant, which the rule already hides.

The open data API (/api/v1) shows what the public sees, also to a preparer who is signed in.

Asking for unpublished rows: `.execution_options(include_unpublished=True)` on a statement, or
`with including_unpublished(): ...` for a block (the congress export, which a preparer or an operator
asks for, runs in a request context of its own). Code outside a request (commands, tests reading the
database) sees every row.

`require_visible(obj)` and `is_visible(obj)` answer the same question for one thing already loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from flask import abort, g, has_request_context, request
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy.orm import Session, with_loader_criteria

from app.accounts.models import Role
from app.processes.models import Process

# Who sees a process before it is published.
PREPARERS = (Role.WIJKREGISSEUR, Role.FACILITATOR, Role.ADMIN)
# The viewer of open data: published processes only, whoever asks.
PUBLIC = AnonymousUserMixin()
OPTION = "include_unpublished"
_BUSY = "_process_visibility_busy"
_ALL = "process_visibility_all"  # session.info: a counter of open `including_unpublished()` blocks


def _viewer(user):
    if user is not None:
        return user
    if not has_request_context():
        return None
    if request.blueprint == "api":
        return PUBLIC
    return current_user


def sees_unpublished(user=None) -> bool:
    """Whether this person (default: the one making the request) sees unpublished processes."""
    user = _viewer(user)
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*PREPARERS))


def process_of(obj) -> Process | None:
    """The process of a process, or of anything that belongs to one (an issue, a covenant, a position)."""
    if obj is None or isinstance(obj, Process):
        return obj
    return getattr(obj, "process", None)


def is_visible(obj, user=None) -> bool:
    """Whether this person may see this process, or the process this thing belongs to."""
    process = process_of(obj)
    return process is not None and (process.published_at is not None or sees_unpublished(user))


def require_visible(obj, user=None) -> None:
    """404 unless the thing exists and its process may be seen: an unpublished process does not exist yet."""
    if not is_visible(obj, user):
        abort(404)


def published_ids() -> sa.Select:
    return sa.select(Process.id).where(Process.published_at.is_not(None))


@contextmanager
def including_unpublished() -> Iterator[None]:
    """Within the block, this session's queries also return rows of unpublished processes."""
    from app.extensions import db

    info = db.session.info
    info[_ALL] = info.get(_ALL, 0) + 1
    try:
        yield
    finally:
        info[_ALL] -= 1


# --- the hook ---------------------------------------------------------------------------------------


@cache
def _models_of_a_process() -> tuple[type, ...]:
    """Every mapped class with a `process_id` column pointing at processes."""
    from app.extensions import db

    found = []
    for mapper in db.Model.registry.mappers:
        column = mapper.columns.get("process_id")
        if column is not None and any(fk.column.table.name == "processes" for fk in column.foreign_keys):
            found.append(mapper.class_)
    return tuple(found)


def _published(cls):
    return cls.published_at.is_not(None)


def _in_published_process(cls):
    return sa.or_(
        cls.process_id.is_(None),
        cls.process_id.in_(sa.select(Process.id).where(Process.published_at.is_not(None))),
    )


def _applies(state) -> bool:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return False  # relationship loads carry the criteria of the query that loaded their parent
    if state.execution_options.get(OPTION) or state.session.info.get(_ALL) or not has_request_context():
        return False
    if g.get(_BUSY):  # the query that loads the signed-in person (no process content)
        return False
    setattr(g, _BUSY, True)
    try:
        return not sees_unpublished()
    finally:
        setattr(g, _BUSY, False)


def _only_published(state) -> None:
    if not _applies(state):
        return
    options = [with_loader_criteria(Process, _published, include_aliases=True, track_closure_variables=False)]
    options += [
        with_loader_criteria(model, _in_published_process, include_aliases=True, track_closure_variables=False)
        for model in _models_of_a_process()
    ]
    state.statement = state.statement.options(*options)


def register(app) -> None:
    """Install the hook once for every session (global, like the hook for hidden issues)."""
    if not sa.event.contains(Session, "do_orm_execute", _only_published):
        sa.event.listen(Session, "do_orm_execute", _only_published)
