"""Running one job: by the dotted path of a module-level function, inside an app context of its own.

`run(func_path, args, kwargs)` is what RQ calls in the worker; `call_in_process(app, ...)` is the same for
the web process (a thread, or at once in tests). A job never runs inside a request: no visitor's
visibility rules, language or login apply to it, and on SQLite each of its transactions takes the write
lock, so jobs commit in batches and keep each transaction short.
"""

from __future__ import annotations

import contextvars
import importlib
import os
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from app.extensions import db

_PID = "jobs.pid"
_OWN_APP: Flask | None = None  # the app a worker builds when it was started without one (`rq worker`)


def function_path(func: Callable | str) -> str:
    """ "package.module.function" for a module-level function (a job is found again by this path)."""
    if isinstance(func, str):
        path = func
    else:
        qualname = getattr(func, "__qualname__", "")
        if not qualname or "<" in qualname or "." in qualname:
            raise ValueError(f"a job must be a module-level function, not {func!r}")
        path = f"{func.__module__}.{qualname}"
    module, _, name = path.rpartition(".")
    if not module or not name.isidentifier():
        raise ValueError(f"not a function path: {path!r}")
    return path


def resolve(path: str) -> Callable:
    """The function at `path`; ImportError or AttributeError when it does not exist (yet)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run(func_path: str, args: list | tuple = (), kwargs: dict | None = None) -> Any:
    """RQ's entry point. Uses the app of `flask jobs worker`, or builds one with `create_app()`."""
    app = current_app._get_current_object() if has_app_context() else _own_app()
    return call(app, func_path, args, kwargs or {})


def call(app: Flask, func_path: str, args: list | tuple, kwargs: dict) -> Any:
    """Run the job in a fresh app context (its own database session); exceptions go to the caller."""
    func = resolve(func_path)
    with app.app_context():
        _after_fork(app)
        try:
            return func(*args, **kwargs)
        finally:
            db.session.remove()


def call_in_process(app: Flask, func_path: str, args: list | tuple, kwargs: dict) -> None:
    """Run the job in the web process, outside any request or app context the caller has; log failures."""
    try:
        # An empty context: no request (so none of the visitor's rules apply) and no app context of the caller.
        contextvars.Context().run(call, app, func_path, args, kwargs)
    except Exception:
        app.logger.exception("job %s failed", func_path)


def remember_process(app: Flask) -> None:
    """Note the process that made the app (and so its database connections); see `_after_fork`."""
    app.extensions[_PID] = os.getpid()


def _after_fork(app: Flask) -> None:
    """RQ's worker forks a child per job: connections inherited from the parent must not be used in the child.

    Dropping the pool without closing leaves the parent's connections alone (SQLAlchemy's advice for fork).
    """
    pid = os.getpid()
    if app.extensions.get(_PID, pid) != pid:
        for engine in db.engines.values():
            engine.dispose(close=False)
        app.extensions[_PID] = pid


def _own_app() -> Flask:
    global _OWN_APP
    if _OWN_APP is None:
        from app import create_app

        _OWN_APP = create_app()
    return _OWN_APP
