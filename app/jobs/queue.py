"""Putting work on the job queue: `enqueue(func, *args, **kwargs)` and `enqueue_after_commit(...)`.

Where a job runs depends on the configuration, never on the caller:
- `JOBS_SYNC` (tests): at once, in the caller's thread (after the commit for `enqueue_after_commit`);
- `REDIS_URL` set: on the RQ queue `JOBS_QUEUE`; a `flask jobs worker` runs it inside the app;
- neither: in a daemon thread of the web process (the embedded default: nothing else to run); outside a
  request (a `flask` command, the scheduler thread, another job) at once in the caller's thread instead, since
  a daemon thread dies with a command that ends, leaving its mail claimed and unsent until the lease runs out.

In every mode the job runs the same way (`app.jobs.runner`): outside any request, in an app context of its
own, by the dotted path of a module-level function, with arguments that survive a JSON round trip. So a
job takes ids, never ORM objects, and what works in the tests works in the worker. A job that fails in the
web process is logged, never raised to the request; in the worker RQ keeps it in the failed-job registry.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context

from app.jobs import runner

_PENDING = "jobs_after_commit"
RESULT_TTL = 60 * 60  # seconds RQ keeps a finished job's result (nothing reads it: for `rq info` only)
FAILURE_TTL = 7 * 24 * 60 * 60  # seconds a failed job stays in the failed-job registry


def enqueue(func: Callable | str, *args: Any, **kwargs: Any) -> str | None:
    """Run `func(*args, **kwargs)` as a job now. Returns the RQ job id, or None when it ran in process."""
    return enqueue_job(func, args, kwargs)


def enqueue_after_commit(func: Callable | str, *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` as a job once the current transaction commits; dropped on a rollback.

    For work that must see the change (a mail about it, a bundle of it): a worker that starts before the
    commit would find nothing, and a rolled-back change must set nothing in motion.
    """
    from app.extensions import db

    path, args, kwargs = _checked(func, args, kwargs)  # fail in the caller, not after the commit
    db.session.info.setdefault(_PENDING, []).append((path, args, kwargs))


def enqueue_job(
    func: Callable | str,
    args: tuple | list = (),
    kwargs: dict | None = None,
    *,
    timeout: int | None = None,
    ttl: int | None = None,
    description: str | None = None,
) -> str | None:
    """`enqueue` with the queue's options: `timeout` (seconds it may run), `ttl` (seconds it may wait in the
    queue before it is dropped unstarted). Both apply to the RQ queue only."""
    path, args, kwargs = _checked(func, args, kwargs or {})
    return _dispatch(current_app._get_current_object(), path, args, kwargs, timeout, ttl, description)


def mode(app: Flask) -> str:
    """ "sync", "redis" or "thread": where this app runs its jobs."""
    if app.config.get("JOBS_SYNC"):
        return "sync"
    return "redis" if app.config.get("REDIS_URL") else "thread"


def redis_connection(app: Flask):
    """The app's Redis client (one per app and process; redis-py reconnects after a fork by itself)."""
    from redis import Redis

    connection = app.extensions.get("jobs.redis")
    if connection is None:
        connection = app.extensions["jobs.redis"] = Redis.from_url(app.config["REDIS_URL"])
    return connection


def rq_queue(app: Flask):
    from rq import Queue

    return Queue(
        app.config.get("JOBS_QUEUE") or "buytenwegh",
        connection=redis_connection(app),
        default_timeout=app.config.get("JOBS_TIMEOUT", 30 * 60),
    )


def _dispatch(app: Flask, path: str, args: list, kwargs: dict, timeout=None, ttl=None, description=None) -> str | None:
    kind = mode(app)
    if kind == "sync":
        runner.call_in_process(app, path, args, kwargs)
        return None
    if kind == "thread" and not has_request_context():
        runner.call_in_process(app, path, args, kwargs)
        return None
    if kind == "thread":
        name = f"job-{path.rsplit('.', 1)[-1]}"[:40]
        threading.Thread(target=runner.call_in_process, args=(app, path, args, kwargs), daemon=True, name=name).start()
        return None
    job = rq_queue(app).enqueue(
        runner.run,
        args=(path, args, kwargs),
        job_timeout=timeout,
        ttl=ttl,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=description or path,
    )
    return job.id


def _checked(func: Callable | str, args, kwargs: dict) -> tuple[str, list, dict]:
    """The function's dotted path, and the arguments as the job will see them (after a JSON round trip)."""
    path = runner.function_path(func)
    try:
        plain = json.loads(json.dumps([list(args), kwargs]))
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"job {path}: arguments must be plain values (ids, text, numbers, lists, dicts), not ORM objects: {error}"
        ) from None
    return path, plain[0], plain[1]


# --- after the commit ----------------------------------------------------------------------------------


def _after_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint was released (unique_or): the transaction goes on
        return
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    app = current_app._get_current_object()
    for path, args, kwargs in pending:
        try:
            _dispatch(app, path, args, kwargs)
        except Exception:  # the change is committed: a queue that is down must not turn it into an error page
            app.logger.exception("could not queue job %s after the commit", path)


def _after_rollback(session) -> None:
    if session.in_nested_transaction():  # a savepoint rolled back: the outer transaction's jobs still stand
        return
    session.info.pop(_PENDING, None)


def register(app: Flask) -> None:
    """Install the session hooks once (global listeners, like the mail hooks)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_rollback", _after_rollback)
