"""`flask jobs …`: the worker and the scheduler (with Redis), one tick (for cron), the status, one run by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

jobs_cli = AppGroup("jobs", help="Background jobs: the worker, the scheduler, the daily runs.")

TICK_TTL = 5 * 60  # seconds a tick may wait for a worker; later ones replace it


def _redis_or_fail():
    from app.jobs.queue import redis_connection

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: jobs run in the web process, and its scheduler thread (or `flask jobs tick`"
            " from cron) does the daily runs. Set REDIS_URL to use a worker."
        )
    from redis.exceptions import RedisError

    connection = redis_connection(current_app)
    try:
        connection.ping()
    except (RedisError, OSError) as error:
        raise click.ClickException(f"Redis at REDIS_URL does not answer: {error}") from None
    return connection


def _check_schedule() -> None:
    from app.jobs.schedule import check_settings

    try:
        check_settings(current_app.config)
    except (ValueError, KeyError) as error:
        raise click.ClickException(f"schedule settings: {error}") from None


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and one-off runs).")
def worker(burst):
    """Run an RQ worker on the app's queue (one job at a time, each in a forked child)."""
    from rq import Worker

    from app.jobs.queue import rq_queue
    from app.jobs.workers import BurstWorker

    connection = _redis_or_fail()
    queue = rq_queue(current_app)
    worker_class = BurstWorker if burst else Worker
    worker_class([queue], connection=connection).work(burst=burst, logging_level="INFO")


@jobs_cli.command("scheduler")
def scheduler():
    """Put a tick on the queue every minute (RQ's cron scheduler); the worker runs it.

    Any number of schedulers may run, on any number of servers: each daily run is claimed once in the
    database, so extra ticks find nothing left to do.
    """
    from rq.cron import CronScheduler

    from app.jobs import runner
    from app.jobs.queue import FAILURE_TTL

    _check_schedule()
    connection = _redis_or_fail()
    queue_name = current_app.config.get("JOBS_QUEUE") or "buytenwegh"
    cron = CronScheduler(connection=connection)
    cron.register(
        runner.run,
        queue_name=queue_name,
        args=("app.jobs.schedule.tick",),
        interval=int(current_app.config.get("SCHEDULER_INTERVAL", 60)),
        ttl=TICK_TTL,
        result_ttl=0,
        failure_ttl=FAILURE_TTL,
        name=f"{queue_name}-tick",
    )
    cron.start()


@jobs_cli.command("tick")
def tick():
    """Run what is due now, once (for cron, every minute, when neither a scheduler nor the thread runs)."""
    from app.jobs.schedule import tick as run_tick

    _check_schedule()
    done = run_tick()
    for kind, result in done["ran"].items():
        click.echo(f"{kind}: {result}")


@jobs_cli.command("run")
@click.argument("kind")
@click.option("--again", is_flag=True, help="Run even when it ran today already.")
def run(kind, again):
    """Run one scheduled entry now (e.g. digest_daily); it then counts as today's run."""
    from app.jobs import schedule
    from app.jobs.runner import resolve

    try:
        entry = schedule.entry(kind)
    except KeyError:
        kinds = ", ".join(e.kind for e in schedule.SCHEDULE)
        raise click.ClickException(f"no scheduled run {kind!r}; choose one of {kinds}") from None
    _check_schedule()
    try:
        func = resolve(entry.function)
    except (ImportError, AttributeError):
        raise click.ClickException(f"{entry.function} does not exist (yet)") from None
    day = schedule.local_day(datetime.now(UTC))
    if not schedule.claim(kind, day, by=f"by hand ({schedule.worker_name()})") and not again:
        raise click.ClickException(f"{kind} already ran (or runs) today; add --again to run it once more")
    click.echo(f"{kind}: {schedule.run_claimed(kind, day, func)}")


@jobs_cli.command("status")
def status():
    """Where jobs run, the queue and its workers, the schedule and the last runs."""
    import sqlalchemy as sa

    from app.jobs import schedule
    from app.jobs.models import ScheduledRun
    from app.jobs.queue import mode

    config = current_app.config
    where = mode(current_app)
    click.echo(f"jobs run: {_MODES.get(where, where)}")
    if where == "redis":
        _queue_status()
    elif config.get("RUN_SCHEDULER"):
        click.echo("scheduler: a thread in each web process (starts with its first request)")
    else:
        click.echo("scheduler: none in the web process (RUN_SCHEDULER off): run `flask jobs tick` from cron")
    _check_schedule()
    now = datetime.now(UTC)
    tz = schedule.zone(config)
    click.echo(f"schedule ({tz.key}):")
    last = {
        row.kind: row
        for row in db.session.scalars(sa.select(ScheduledRun).order_by(ScheduledRun.day, ScheduledRun.claimed_at))
    }
    for entry in schedule.SCHEDULE:
        upcoming = schedule.next_moment(entry, now, config).astimezone(tz)
        row = last.get(entry.kind)
        if row is None:
            ran = "never ran"
        elif row.finished_at is None:
            ran = f"last {row.day}: running since {_local(row.claimed_at, tz)} on {row.claimed_by}"
        else:
            ran = f"last {row.day}: {row.result}"
        click.echo(f"  {entry.kind:<20} {entry.when.describe(config):<20} next {upcoming:%Y-%m-%d %H:%M}  {ran}")
    _outbox_status()


_MODES = {
    "sync": "at once, in the caller (JOBS_SYNC)",
    "redis": "on the RQ queue in Redis (REDIS_URL)",
    "thread": "in the web process (no REDIS_URL)",
}


def _queue_status() -> None:
    from rq import Worker
    from rq.cron import CronScheduler

    from app.jobs.queue import rq_queue

    connection = _redis_or_fail()
    queue = rq_queue(current_app)
    click.echo(
        f"queue {queue.name}: {queue.count} waiting, {queue.started_job_registry.count} running,"
        f" {queue.failed_job_registry.count} failed"
    )
    workers = Worker.all(queue=queue)
    click.echo(f"workers: {len(workers)}" + (f" ({', '.join(w.name for w in workers)})" if workers else ""))
    schedulers = CronScheduler.all(connection)
    click.echo(f"schedulers: {len(schedulers)}" + (" (start one: flask jobs scheduler)" if not schedulers else ""))


def _outbox_status() -> None:
    import sqlalchemy as sa

    from app.mail.models import OutboxMail

    counts = dict(db.session.execute(sa.select(OutboxMail.status, sa.func.count()).group_by(OutboxMail.status)).all())
    if counts:
        click.echo("outbox: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))


def _local(moment: datetime, tz) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"
