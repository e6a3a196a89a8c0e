"""The daily and weekly runs: at the configured hour in Europe/Amsterdam (summer time included), claimed
once per (kind, day) however many schedulers tick at once, made up later the same day, never the next."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import schedule
from app.jobs.models import ScheduledRun
from app.jobs.schedule import SCHEDULE, Entry, When, claim, due, local_day, tick
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
CALLS: list[str] = []
_calls_lock = threading.Lock()


def count_call() -> str:
    """A scheduled function: counts its calls, and takes a moment, as real work does."""
    with _calls_lock:
        CALLS.append("call")
    time.sleep(0.05)
    return "counted"


def broken() -> None:
    raise RuntimeError("the mail server is on fire")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def only(monkeypatch):
    """Replace the schedule with the given entries (the real ones would send real digests)."""

    def use(*entries: Entry) -> None:
        monkeypatch.setattr(schedule, "SCHEDULE", entries)

    CALLS.clear()
    return use


def rows(app) -> list[tuple[str, date, str]]:
    with app.app_context():
        return [
            (r.kind, r.day, r.result)
            for r in db.session.scalars(sa.select(ScheduledRun).order_by(ScheduledRun.kind, ScheduledRun.day))
        ]


# --- the hour, in Amsterdam ---------------------------------------------------------------------------


def kinds_due(app, moment: datetime) -> set[str]:
    with app.app_context():
        return {entry.kind for entry in due(moment)}


def test_a_daily_run_is_due_from_its_hour_in_amsterdam_in_winter_and_summer(app):
    app.config["DIGEST_DAILY_HOUR"] = 7
    # Winter (CET, UTC+1): 07:00 in Amsterdam is 06:00 UTC.
    assert "digest_daily" not in kinds_due(app, utc(2026, 1, 15, 5, 59))
    assert "digest_daily" in kinds_due(app, utc(2026, 1, 15, 6, 0))
    # Summer (CEST, UTC+2): 07:00 is 05:00 UTC.
    assert "digest_daily" not in kinds_due(app, utc(2026, 7, 15, 4, 59))
    assert "digest_daily" in kinds_due(app, utc(2026, 7, 15, 5, 0))


def test_the_hour_follows_the_clock_on_the_days_summer_time_starts_and_ends(app):
    app.config["DIGEST_DAILY_HOUR"] = 7
    # Summer time starts on Sunday 29 March 2026 at 02:00 (01:00 UTC): that day 07:00 is 05:00 UTC ...
    assert "digest_daily" not in kinds_due(app, utc(2026, 3, 28, 5, 30)), "Saturday: still 06:30 in Amsterdam"
    assert "digest_daily" in kinds_due(app, utc(2026, 3, 29, 5, 0)), "Sunday: 07:00 in Amsterdam"
    # ... and it ends on Sunday 25 October 2026 at 03:00 (01:00 UTC): 07:00 is 06:00 UTC again.
    assert "digest_daily" in kinds_due(app, utc(2026, 10, 24, 5, 0)), "Saturday: 07:00 summer time"
    assert "digest_daily" not in kinds_due(app, utc(2026, 10, 25, 5, 30)), "Sunday: 06:30 winter time"
    assert "digest_daily" in kinds_due(app, utc(2026, 10, 25, 6, 0))
    # An hour the clock skips (02:00 on 29 March) runs at the first moment after it: 03:00 summer time.
    app.config["DIGEST_DAILY_HOUR"] = 2
    assert "digest_daily" not in kinds_due(app, utc(2026, 3, 29, 0, 59))
    assert "digest_daily" in kinds_due(app, utc(2026, 3, 29, 1, 0))


def test_the_day_of_a_run_is_the_day_in_amsterdam(app):
    with app.app_context():
        assert local_day(utc(2026, 6, 30, 22, 30)) == date(2026, 7, 1), "00:30 on 1 July in Amsterdam"
        assert local_day(utc(2026, 12, 31, 22, 59)) == date(2026, 12, 31), "23:59 on 31 December"


def test_the_weekly_run_is_due_only_on_its_weekday(app):
    app.config.update(DIGEST_WEEKLY_DAY="monday", DIGEST_WEEKLY_HOUR=7)
    assert "digest_weekly" in kinds_due(app, utc(2026, 6, 1, 9, 0)), "Monday 11:00"
    assert "digest_weekly" not in kinds_due(app, utc(2026, 6, 2, 9, 0)), "Tuesday"
    app.config["DIGEST_WEEKLY_DAY"] = "5"  # ISO: Friday
    assert "digest_weekly" in kinds_due(app, utc(2026, 6, 5, 9, 0))


def test_bad_settings_are_refused_by_the_commands(app, runner):
    app.config["DIGEST_WEEKLY_DAY"] = "maandag"
    result = runner.invoke(args=["jobs", "tick"])
    assert result.exit_code != 0 and "DIGEST_WEEKLY_DAY" in result.output
    app.config.update(DIGEST_WEEKLY_DAY="monday", MODERATION_SUMMARY_HOUR=24)
    result = runner.invoke(args=["jobs", "status"])
    assert result.exit_code != 0 and "MODERATION_SUMMARY_HOUR" in result.output


# --- claiming and catching up ---------------------------------------------------------------------------


def test_a_run_is_claimed_once_per_day(app):
    with app.app_context():
        assert claim("digest_daily", date(2026, 6, 1), by="server-a") is True
        assert claim("digest_daily", date(2026, 6, 1), by="server-b") is False
        assert claim("digest_daily", date(2026, 6, 2), by="server-b") is True
        assert claim("digest_weekly", date(2026, 6, 1), by="server-b") is True
        assert db.session.get(ScheduledRun, ("digest_daily", date(2026, 6, 1))).claimed_by == "server-a"


def test_a_server_that_was_down_at_the_hour_runs_it_later_that_day_but_not_the_next(app, only):
    only(Entry("count", When("DIGEST_DAILY_HOUR"), "tests.test_jobs_schedule.count_call"))
    app.config["DIGEST_DAILY_HOUR"] = 7
    with app.app_context():
        assert tick(utc(2026, 6, 1, 4, 0))["ran"] == {}, "06:00 in Amsterdam: not yet"
        assert tick(utc(2026, 6, 1, 7, 0))["ran"] == {"count": "counted"}, "09:00: made up after a restart"
        assert tick(utc(2026, 6, 1, 7, 1))["ran"] == {}, "once a day"
        # Down all of 2 June: on 3 June at 06:00 nothing of yesterday is made up.
        assert tick(utc(2026, 6, 3, 4, 0))["ran"] == {}
    assert len(CALLS) == 1
    assert rows(app) == [("count", date(2026, 6, 1), "counted")]


def test_a_failed_run_is_recorded_and_not_retried_by_every_tick(app, only, runner):
    only(Entry("fails", When("DIGEST_DAILY_HOUR"), "tests.test_jobs_schedule.broken"))
    with app.app_context():
        assert tick(utc(2026, 6, 1, 10, 0))["ran"]["fails"].startswith("failed: RuntimeError")
        assert tick(utc(2026, 6, 1, 10, 1))["ran"] == {}
    ((_kind, _day, result),) = rows(app)
    assert "the mail server is on fire" in result


def test_an_entry_whose_function_does_not_exist_yet_is_skipped_and_stays_unclaimed(app, only, caplog):
    only(
        Entry("later", When("DIGEST_DAILY_HOUR"), "app.notifications.not_written_yet.send"),
        Entry("count", When("DIGEST_DAILY_HOUR"), "tests.test_jobs_schedule.count_call"),
    )
    with app.app_context():
        assert tick(utc(2026, 6, 1, 10, 0))["ran"] == {"count": "counted"}
    assert [kind for kind, _, _ in rows(app)] == ["count"], "claimed once it exists, not before"
    assert "app.notifications.not_written_yet.send cannot be imported" in caplog.text


def test_the_schedule_names_every_run_the_platform_needs(app):
    kinds = {entry.kind for entry in SCHEDULE}
    assert {"purge_unconfirmed", "digest_daily", "digest_weekly", "moderation_summary", "waiting_reminder"} <= kinds
    assert all(len(kind) <= 40 for kind in kinds)  # the column's width
    with app.app_context():
        schedule.check_settings(app.config)


def test_many_schedulers_ticking_at_once_run_each_entry_once(app, only):
    """Eight schedulers (threads with their own sessions) tick at the same moment: one of them runs it."""
    only(
        Entry("count", When("DIGEST_DAILY_HOUR"), "tests.test_jobs_schedule.count_call"),
        Entry(
            "count_weekly",
            When("DIGEST_WEEKLY_HOUR", weekday="DIGEST_WEEKLY_DAY"),
            "tests.test_jobs_schedule.count_call",
        ),
    )
    app.config.update(DIGEST_DAILY_HOUR=7, DIGEST_WEEKLY_DAY="monday", DIGEST_WEEKLY_HOUR=7)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def scheduler():
        try:
            with app.app_context():
                start.wait()
                tick(utc(2026, 6, 1, 8, 0))  # Monday 10:00 in Amsterdam
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(CALLS) == 2, "each entry ran once"
    assert [(kind, day) for kind, day, _ in rows(app)] == [
        ("count", date(2026, 6, 1)),
        ("count_weekly", date(2026, 6, 1)),
    ]


def test_two_tick_commands_started_at_once_run_the_daily_run_once(app, database_url, tmp_path):
    """Two processes (cron on two servers) with the real schedule: only one removes the old accounts."""
    env = {
        **os.environ,
        "APP_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "HOUSEKEEPING_HOUR": "0",  # due at any time of day
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "tick"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    printed = "".join(out for out, _ in outputs)
    assert printed.count("purge_unconfirmed:") == 1, outputs
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(ScheduledRun.kind == "purge_unconfirmed")) == 1


def test_every_tick_sends_the_mails_that_are_due(app, only, outbox, monkeypatch):
    """A mail whose delivery was never kicked (a worker died, a retry came due) goes out with the next tick,
    a backlog (a digest morning) in several batches."""
    from app.mail.message import new_message_id
    from app.mail.models import OutboxMail

    only()
    monkeypatch.setattr(schedule, "DELIVERY_BATCH", 2)
    with app.app_context():
        db.session.add_all(
            OutboxMail(kind="system", to_address=f"p{n}@example.org", subject=f"Bericht {n}", body="Tekst",
                       message_id=new_message_id())
            for n in range(5)
        )  # fmt: skip
        db.session.commit()
        assert outbox == []
        assert tick(utc(2026, 6, 1, 10, 0))["mails"] == 5
    assert sorted(mail.subject for mail in outbox) == [f"Bericht {n}" for n in range(5)]


# --- the commands ---------------------------------------------------------------------------------------


def test_jobs_run_runs_one_entry_by_hand_once_a_day(app, runner, only):
    only(Entry("count", When("DIGEST_DAILY_HOUR"), "tests.test_jobs_schedule.count_call"))
    result = runner.invoke(args=["jobs", "run", "count"])
    assert result.exit_code == 0 and "count: counted" in result.output, result.output
    result = runner.invoke(args=["jobs", "run", "count"])
    assert result.exit_code != 0 and "--again" in result.output
    assert runner.invoke(args=["jobs", "run", "count", "--again"]).exit_code == 0
    assert len(CALLS) == 2
    result = runner.invoke(args=["jobs", "run", "nothing"])
    assert result.exit_code != 0 and "choose one of count" in result.output


def test_jobs_status_without_redis_tells_where_jobs_run_and_the_last_runs(app, runner):
    with app.app_context():
        claim("purge_unconfirmed", date(2026, 6, 1))
    result = runner.invoke(args=["jobs", "status"])
    assert result.exit_code == 0, result.output
    assert "at once, in the caller" in result.output  # the tests' JOBS_SYNC
    assert (
        "Europe/Amsterdam" in result.output and "digest_weekly" in result.output and "monday at 07:00" in result.output
    )
    assert "last 2026-06-01: running since" in result.output
    app.config.update(JOBS_SYNC=False, RUN_SCHEDULER=False)
    result = runner.invoke(args=["jobs", "status"])
    assert "in the web process" in result.output and "flask jobs tick" in result.output


def test_worker_and_scheduler_need_redis(app, runner):
    for command in ("worker", "scheduler"):
        result = runner.invoke(args=["jobs", command])
        assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


# --- with Redis: RQ's cron scheduler puts the tick on the queue ---------------------------------------------


def test_the_rq_scheduler_queues_a_tick_that_a_worker_runs(database_url, tmp_path, monkeypatch, redis_url):
    from app.jobs.queue import rq_queue
    from tests.test_jobs_queue import work_burst

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    queue_name = f"test-{uuid.uuid4().hex[:12]}"
    app = make_app(database_url, JOBS_SYNC=False, REDIS_URL=redis_url, JOBS_QUEUE=queue_name, HOUSEKEEPING_HOUR=0)
    env = {
        **os.environ,
        "APP_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JOBS_QUEUE": queue_name,
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with app.app_context():
            queue = rq_queue(app)
            deadline = time.monotonic() + 60
            while queue.count == 0 and time.monotonic() < deadline and scheduler.poll() is None:
                time.sleep(0.1)
            assert queue.count == 1, "an interval job is queued as the scheduler starts"
            status = app.test_cli_runner().invoke(args=["jobs", "status"])
            assert "on the RQ queue" in status.output and "schedulers: 1" in status.output, status.output
    finally:
        scheduler.terminate()
        output = scheduler.communicate(timeout=30)[0]
    assert scheduler.returncode == 0, output  # stops cleanly on SIGTERM
    work_burst(app)
    assert {"prune_runs", "purge_unconfirmed"} <= {kind for kind, _, _ in rows(app)}
    with app.app_context():
        rq_queue(app).connection.flushdb()
        db.session.remove()
        db.engine.dispose()
