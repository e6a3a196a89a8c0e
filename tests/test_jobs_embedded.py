"""The embedded default: with no Redis, a scheduler thread in the web process does the daily runs.

It starts with the first request a process serves (never in a `flask` command), once per process.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import embedded
from app.jobs.models import ScheduledRun
from tests.conftest import make_app


def scheduler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "jobs-scheduler" and t.is_alive()]


@pytest.fixture
def served_app(database_url, tmp_path, monkeypatch):
    """An app configured as a server (not TESTING) that runs the scheduler every second."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def build(**settings):
        app = make_app(database_url, TESTING=False, SCHEDULER_INTERVAL=1, HOUSEKEEPING_HOUR=0, **settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        started = app.extensions.get("jobs.scheduler_thread")
        if started:
            started[1].stop.set()
            started[1].join(10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_thread_starts_with_the_first_request_and_runs_the_daily_runs(served_app):
    before = len(scheduler_threads())
    app = served_app(RUN_SCHEDULER=True)
    assert app.test_cli_runner().invoke(args=["jobs", "status"]).exit_code == 0
    assert len(scheduler_threads()) == before, "a command never starts the scheduler"

    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert len(scheduler_threads()) == before + 1, "one thread per process, however many requests"

    deadline = time.monotonic() + 30
    kinds: set[str] = set()
    while time.monotonic() < deadline and "purge_unconfirmed" not in kinds:
        time.sleep(0.2)
        with app.app_context():
            kinds = set(db.session.scalars(sa.select(ScheduledRun.kind)))
    assert "purge_unconfirmed" in kinds, "the thread ticked and ran the daily housekeeping"


def test_without_run_scheduler_no_thread_starts(served_app):
    before = len(scheduler_threads())
    app = served_app(RUN_SCHEDULER=False)
    assert app.test_client().get("/healthz").status_code == 200
    assert len(scheduler_threads()) == before
    assert "jobs.scheduler_thread" not in app.extensions


def test_tests_never_start_the_thread(app, client):
    app.config["RUN_SCHEDULER"] = True  # even when asked: TESTING wins (tests call tick themselves)
    assert not embedded.wanted(app)
    client.get("/healthz")
    assert "jobs.scheduler_thread" not in app.extensions
