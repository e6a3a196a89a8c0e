"""The scheduler thread of the embedded default: without Redis, the web process ticks every minute itself.

It starts with the first request a process serves, not in `create_app`: so a `flask` command (db upgrade,
seed, ...) never starts one, neither does the file watcher of `flask run --debug` (only its child serves),
and every gunicorn worker gets its own after the fork (a thread does not survive a fork). Several threads,
processes or servers ticking at once are harmless: each daily run is claimed once in the database.
"""

from __future__ import annotations

import os
import threading

from flask import Flask

from app.jobs import runner

_KEY = "jobs.scheduler_thread"
_lock = threading.Lock()


def wanted(app: Flask) -> bool:
    return bool(app.config.get("RUN_SCHEDULER")) and not app.testing


def ensure_started(app: Flask) -> threading.Thread | None:
    """Start this process's scheduler thread once; the running one when it is there already."""
    started = app.extensions.get(_KEY)
    if started is not None and started[0] == os.getpid() and started[1].is_alive():
        return started[1]
    with _lock:
        started = app.extensions.get(_KEY)
        if started is not None and started[0] == os.getpid() and started[1].is_alive():
            return started[1]
        stop = threading.Event()
        thread = threading.Thread(target=_loop, args=(app, stop), daemon=True, name="jobs-scheduler")
        thread.stop = stop  # type: ignore[attr-defined]  (tests stop it)
        app.extensions[_KEY] = (os.getpid(), thread)
        thread.start()
        return thread


def _loop(app: Flask, stop: threading.Event) -> None:
    interval = max(1, int(app.config.get("SCHEDULER_INTERVAL", 60)))
    app.logger.info("scheduler thread started: a tick every %s seconds", interval)
    while not stop.is_set():
        runner.call_in_process(app, "app.jobs.schedule.tick", [], {})
        stop.wait(interval)


def register(app: Flask) -> None:
    if not wanted(app):
        return

    @app.before_request
    def _start_scheduler() -> None:
        ensure_started(app)
