"""The daily and weekly runs, at configured hours in Europe/Amsterdam, each claimed once per day.

`tick()` is called every minute: by `flask jobs scheduler` (RQ's cron scheduler puts a tick on the queue),
by the scheduler thread of the web process (the embedded default), or by `flask jobs tick` from cron.
Each tick runs every entry of SCHEDULE whose hour has passed today (Amsterdam time) and that nobody ran
today: it first claims (kind, day) by inserting a ScheduledRun row, and only the one whose insert succeeds
does the work. So any number of schedulers, threads and cron jobs may tick at once, on any number of
servers: a digest still goes out once a day. A server that was down at 07:00 runs the 07:00 entries at
its first tick after that on the same day; runs missed on earlier days are not made up.

An entry's function is called without arguments, inside an app context, and returns a short summary
(text, a number or a dict) that is kept in the run's `result`. It commits its own work, in batches: on
SQLite every transaction outside a request takes the write lock. An entry whose function cannot be
imported yet is skipped (and logged once per process), so the table may name functions still being written.
"""

from __future__ import annotations

import logging
import os
import socket
import time as time_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobs.models import ScheduledRun
from app.jobs.runner import resolve
from app.models_common import utcnow

log = logging.getLogger(__name__)

DELIVERY_BATCH = 100  # mails per call of the outbox's deliver_due
DELIVERY_BUDGET = 40.0  # seconds a tick spends on a backlog of mail (a digest morning); the next tick goes on
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class When:
    """At `hour` (a setting) every day, or only on the weekday named by `weekday` (a setting)."""

    hour: str
    weekday: str | None = None

    def moment(self, day: date, config, zone: ZoneInfo) -> datetime | None:
        """When this runs on `day` (local), as an aware datetime; None when it does not run that day."""
        if self.weekday is not None and day.weekday() != weekday_number(config[self.weekday], self.weekday):
            return None
        # A local hour that does not exist (02:00 when summer time starts) counts from the hour after it.
        return datetime.combine(day, time(hour_number(config[self.hour], self.hour)), tzinfo=zone)

    def describe(self, config) -> str:
        hour = f"{hour_number(config[self.hour], self.hour):02d}:00"
        if self.weekday is None:
            return f"daily at {hour}"
        return f"{WEEKDAYS[weekday_number(config[self.weekday], self.weekday)]} at {hour}"


@dataclass(frozen=True)
class Entry:
    kind: str  # the claim's name, at most 40 characters
    when: When
    function: str  # dotted path of a module-level function, called without arguments


DAILY_DIGEST = When("DIGEST_DAILY_HOUR")
WEEKLY_DIGEST = When("DIGEST_WEEKLY_HOUR", weekday="DIGEST_WEEKLY_DAY")

SCHEDULE: tuple[Entry, ...] = (
    Entry("purge_unconfirmed", When("HOUSEKEEPING_HOUR"), "app.jobs.housekeeping.purge_unconfirmed"),
    Entry("prune_runs", When("HOUSEKEEPING_HOUR"), "app.jobs.housekeeping.prune_runs"),
    Entry("purge_outbox", When("HOUSEKEEPING_HOUR"), "app.mail.sender.purge_old"),  # sent mails, after 90 days
    # The notifications: digests (app/notifications/digests.py), the moderator summary and the Groene Loper
    # reminder (app/notifications/summary.py; the reminder skips weekends and holidays itself).
    Entry("digest_daily", DAILY_DIGEST, "app.notifications.digests.run_daily_digest"),
    Entry("digest_weekly", WEEKLY_DIGEST, "app.notifications.digests.run_weekly_digest"),
    Entry("moderation_summary", When("MODERATION_SUMMARY_HOUR"), "app.notifications.summary.run_moderation_summary"),
    Entry("waiting_reminder", When("WAITING_REMINDER_HOUR"), "app.notifications.summary.run_waiting_reminders"),
)

_MISSING_LOGGED: set[str] = set()


# --- the settings ------------------------------------------------------------------------------------


def hour_number(value, setting: str) -> int:
    try:
        hour = int(value)
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        raise ValueError(f"{setting} must be an hour from 0 to 23, not {value!r}")
    return hour


def weekday_number(value, setting: str) -> int:
    """0 for Monday: from an English name ("monday", "Mon") or an ISO number (1 = Monday ... 7 = Sunday)."""
    text = str(value).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text) - 1
    for number, name in enumerate(WEEKDAYS):
        if len(text) >= 3 and name.startswith(text):
            return number
    raise ValueError(f"{setting} must be a weekday (monday ... sunday, or 1 ... 7), not {value!r}")


def zone(config=None) -> ZoneInfo:
    config = config if config is not None else current_app.config
    return ZoneInfo(config.get("SCHEDULE_TIMEZONE") or "Europe/Amsterdam")


def check_settings(config) -> None:
    """Raise ValueError for a setting the schedule cannot use (the commands call this first)."""
    zone(config)
    for entry in SCHEDULE:
        entry.when.describe(config)


# --- what is due ----------------------------------------------------------------------------------


def local_day(now: datetime, config=None) -> date:
    return now.astimezone(zone(config)).date()


def due(now: datetime, config=None) -> list[Entry]:
    """The entries whose moment today (local) has come by `now`."""
    config = config if config is not None else current_app.config
    tz = zone(config)
    today = now.astimezone(tz).date()
    return [e for e in SCHEDULE if (at := e.when.moment(today, config, tz)) is not None and now >= at]


def next_moment(entry: Entry, now: datetime, config=None) -> datetime:
    """The first moment after `now` this entry runs (for `flask jobs status`)."""
    config = config if config is not None else current_app.config
    tz = zone(config)
    today = now.astimezone(tz).date()
    for offset in range(8):
        at = entry.when.moment(today + timedelta(days=offset), config, tz)
        if at is not None and at > now:
            return at
    raise AssertionError("every entry runs at least once a week")


# --- claiming and running -------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(kind: str, day: date, by: str | None = None) -> bool:
    """Claim the run of `kind` on `day`: True for the one caller whose insert succeeds, False for the rest.

    Commits at once (others must see the claim). The primary key (kind, day) decides, on SQLite (one writer
    at a time) and on PostgreSQL (a concurrent insert waits for the first one, then fails) alike.
    """
    try:
        db.session.execute(
            sa.insert(ScheduledRun).values(kind=kind, day=day, claimed_at=utcnow(), claimed_by=by or worker_name())
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def tick(now: datetime | None = None) -> dict:
    """Run what is due and not yet claimed today, then the periodic sweeps. Returns what it did."""
    now = now or datetime.now(UTC)
    done = {"ran": run_due(now)}
    done.update(sweep())
    return done


def run_due(now: datetime) -> dict[str, str]:
    """Claim and run each due entry; {kind: result} for the ones this caller ran."""
    entries = due(now)
    if not entries:
        return {}
    day = local_day(now)
    claimed = _claimed_on(day)
    ran: dict[str, str] = {}
    for entry in entries:
        if entry.kind in claimed:
            continue
        func = _function(entry)
        if func is None or not claim(entry.kind, day):
            continue
        ran[entry.kind] = run_claimed(entry.kind, day, func)
    return ran


def run_claimed(kind: str, day: date, func) -> str:
    """Run a claimed entry and record how it went on its ScheduledRun row. Never raises."""
    try:
        result = func()
        db.session.commit()
        text = _summary(result)
    except Exception as error:
        db.session.rollback()
        log.exception("scheduled run %s of %s failed", kind, day)
        text = f"failed: {type(error).__name__}: {error}"
    db.session.execute(
        sa.update(ScheduledRun)
        .where(ScheduledRun.kind == kind, ScheduledRun.day == day)
        .values(finished_at=utcnow(), result=text[:500])
    )
    db.session.commit()
    return text


def sweep() -> dict:
    """What runs at every tick: the mails that are due, and old congress bundles. Each on its own."""
    done = {}
    import app.mail as mail

    deliver_due = getattr(mail, "deliver_due", None)  # the outbox; absent in an older tree
    if deliver_due is not None:
        done["mails"] = _guarded("deliver_due", lambda: _deliver_backlog(deliver_due))
    from app.exports.jobs import cleanup

    done["old_bundles"] = _guarded("export cleanup", cleanup)
    return done


def _deliver_backlog(deliver_due, budget: float = DELIVERY_BUDGET) -> int:
    """Send due mails in batches until none are left or `budget` seconds have passed (the next tick goes on)."""
    started = time_module.monotonic()
    sent = 0
    while True:
        batch = deliver_due(limit=DELIVERY_BATCH)
        sent += batch
        if batch < DELIVERY_BATCH or time_module.monotonic() - started > budget:
            return sent


def entry(kind: str) -> Entry:
    for candidate in SCHEDULE:
        if candidate.kind == kind:
            return candidate
    raise KeyError(kind)


def _guarded(what: str, func):
    try:
        result = func()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("%s failed during a tick", what)
        return "failed"


def _claimed_on(day: date) -> set[str]:
    """The kinds claimed today, read without SQLite's write lock (a tick that finds nothing to do writes nothing)."""
    from app import reading

    with reading(current_app._get_current_object()):
        return set(db.session.scalars(sa.select(ScheduledRun.kind).where(ScheduledRun.day == day)))


def _function(entry: Entry):
    try:
        return resolve(entry.function)
    except (ImportError, AttributeError):
        if entry.function not in _MISSING_LOGGED:
            _MISSING_LOGGED.add(entry.function)
            log.warning("scheduled run %s skipped: %s cannot be imported (yet)", entry.kind, entry.function)
        return None


def _summary(result) -> str:
    if result is None:
        return "done"
    if isinstance(result, dict):
        return ", ".join(f"{key}: {value}" for key, value in result.items()) or "done"
    return str(result)
