"""Jobs: on a real RQ queue in Redis when REDIS_URL is set, in the web process without it.

A job runs by the path of a module-level function, with plain arguments, in an app context of its own and
outside the request that queued it; enqueue_after_commit queues nothing when the change is rolled back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_request_context

from app.extensions import db
from app.jobs.models import ScheduledRun
from app.jobs.queue import enqueue, enqueue_after_commit, rq_queue
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 5, 4)
_done = threading.Event()


# --- job functions (module level: a job is found by its dotted path) ----------------------------------


def note_run(kind: str, saw: list | None = None) -> None:
    """Leave a trace in the database, with whether the job saw a request (it never should)."""
    db.session.add(ScheduledRun(kind=kind, day=DAY, result="request" if has_request_context() else "no request"))
    db.session.commit()
    _done.set()


def fail_loudly() -> None:
    raise RuntimeError("this job fails")


def runs(app) -> dict[str, str]:
    with app.app_context():
        return {row.kind: row.result for row in db.session.scalars(sa.select(ScheduledRun))}


def add_route(app, enqueue_first: bool = False):
    """A test page that changes something and queues a job after the commit, or rolls it all back."""
    from flask import request

    def change():
        db.session.add(ScheduledRun(kind="the_change", day=DAY))
        enqueue_after_commit(note_run, request.form["kind"])
        if request.form.get("fail"):
            db.session.rollback()
            return "rolled back", 409
        db.session.commit()
        return "ok"

    app.add_url_rule("/test-job", "test_job", change, methods=["POST"])


@pytest.fixture
def redis_app(database_url, tmp_path, monkeypatch, redis_url):
    """An app that queues its jobs in Redis, on a queue of its own (tests share one server per pass)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, JOBS_SYNC=False, REDIS_URL=redis_url, JOBS_QUEUE=f"test-{uuid.uuid4().hex[:12]}")
    yield app
    with app.app_context():
        rq_queue(app).connection.flushdb()
        db.session.remove()
        db.engine.dispose()


def work_burst(app) -> None:
    """An RQ worker in this process until the queue is empty (it sets signal handlers: put them back)."""
    from app.jobs.workers import SimpleBurstWorker

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            queue = rq_queue(app)
            SimpleBurstWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


# --- in the web process (no Redis) ---------------------------------------------------------------------


def test_in_tests_a_job_runs_at_once_after_the_commit_outside_the_request(app, client):
    add_route(app)
    assert client.post("/test-job", data={"kind": "after_commit"}).status_code == 200
    assert runs(app) == {"the_change": "", "after_commit": "no request"}


def test_a_rolled_back_change_queues_nothing(app, client):
    add_route(app)
    assert client.post("/test-job", data={"kind": "after_commit", "fail": "1"}).status_code == 409
    assert runs(app) == {}
    assert client.post("/test-job", data={"kind": "next_one"}).status_code == 200
    assert set(runs(app)) == {"the_change", "next_one"}, "a job dropped by a rollback does not come back later"


def test_without_redis_a_job_runs_in_a_thread_of_the_web_process(app):
    app.config["JOBS_SYNC"] = False
    _done.clear()
    with app.test_request_context(method="POST"):
        assert enqueue(note_run, "in_a_thread") is None
    assert _done.wait(20), "the thread never ran the job"
    deadline = time.monotonic() + 10
    while "in_a_thread" not in runs(app) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runs(app) == {"in_a_thread": "no request"}


def test_without_redis_a_job_queued_outside_a_request_runs_before_the_caller_ends(app):
    """A `flask` command (seeding, an import) ends right after its work: a daemon thread would die with it, and
    its mail would stay claimed and unsent. Outside a request the job runs in the caller's thread instead."""
    app.config["JOBS_SYNC"] = False
    with app.app_context():
        assert enqueue(note_run, "from_a_command") is None
        assert threading.current_thread().name == "MainThread"
        assert runs(app) == {"from_a_command": "no request"}  # done already, no waiting


def test_a_failing_job_in_the_web_process_is_logged_not_raised(app, caplog):
    with app.app_context():
        enqueue(fail_loudly)  # no exception here
    assert "job tests.test_jobs_queue.fail_loudly failed" in caplog.text
    assert "this job fails" in caplog.text


def test_jobs_take_ids_not_objects(app):
    with app.app_context():
        run = ScheduledRun(kind="x", day=DAY)
        with pytest.raises(TypeError, match="plain values"):
            enqueue(note_run, run)
        with pytest.raises(ValueError, match="module-level"):
            enqueue(lambda: None)
        with pytest.raises(TypeError, match="plain values"):
            enqueue_after_commit(note_run, "x", saw={1, 2})  # caught when queued, not after the commit


# --- on the RQ queue ------------------------------------------------------------------------------------


def test_with_redis_the_request_only_queues_and_a_worker_runs_the_job(redis_app):
    add_route(redis_app)
    client = redis_app.test_client()
    assert client.post("/test-job", data={"kind": "in_the_worker"}).status_code == 200
    assert client.post("/test-job", data={"kind": "rolled_back", "fail": "1"}).status_code == 409
    with redis_app.app_context():
        queue = rq_queue(redis_app)
        assert queue.count == 1, "queued after the commit; the rolled-back one never reached Redis"
    assert runs(redis_app) == {"the_change": ""}, "nothing ran in the web process"

    work_burst(redis_app)
    assert runs(redis_app) == {"the_change": "", "in_the_worker": "no request"}
    with redis_app.app_context():
        assert rq_queue(redis_app).count == 0


def test_a_failing_job_lands_in_the_failed_registry(redis_app):
    with redis_app.app_context():
        enqueue(fail_loudly)
    work_burst(redis_app)
    with redis_app.app_context():
        queue = rq_queue(redis_app)
        assert queue.failed_job_registry.count == 1


def _worker_env(app, database_url, tmp_path) -> dict:
    return {
        **os.environ,
        "APP_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": app.config["REDIS_URL"],
        "JOBS_QUEUE": app.config["JOBS_QUEUE"],
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }


def test_the_congress_bundle_is_built_by_a_separate_worker_process(redis_app, database_url, tmp_path):
    """Two processes, as in production: the web server queues the build, `flask jobs worker` builds it,
    and the web server shows the progress and hands out the file (the export folder is shared)."""
    from tests.conftest import make_process, make_user

    process = make_process(redis_app, slug="wijk-queue")
    facilitator = make_user(redis_app, role="facilitator")
    client = redis_app.test_client()
    client.post("/login", data={"email": facilitator.email, "password": facilitator.password})
    location = client.post("/exports", data={"process_slug": process.slug, "include": ["issues"]}).headers["Location"]
    page = client.get(location)
    assert page.status_code == 200 and page.headers.get("Refresh") == "2"
    assert "Wacht op zijn beurt" in page.get_data(as_text=True)

    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"],
        cwd=ROOT,
        env=_worker_env(redis_app, database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    page = client.get(location)
    assert "Refresh" not in page.headers and "/download" in page.get_data(as_text=True), worker.stderr[-3000:]
    download = client.get(location + "/download")
    assert download.status_code == 200 and download.data[:2] == b"PK"


def test_a_queue_that_is_down_shows_a_failed_build_not_an_error_page(app, client, auth):
    from tests.conftest import make_process

    app.config.update(JOBS_SYNC=False, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    process = make_process(app, slug="wijk-geen-redis")
    auth.login_as("facilitator")
    page = client.post("/exports", data={"process_slug": process.slug, "include": ["issues"]}, follow_redirects=True)
    assert page.status_code == 200
    assert "utrecht-alert--error" in page.get_data(as_text=True)
