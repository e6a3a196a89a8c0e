"""Building a bundle for the export page: as a job on the queue, with its progress in a small file.

A build writes `<EXPORT_FOLDER>/<token>.zip` (first as `.part`) and keeps `<token>.json` next to it with
who started it, the process, the percentage, the step, and whether it is done or failed. The page reads
that file; nothing is kept in the memory of one process, so with a folder that every web server and
worker shares (EXPORT_FOLDER; default instance/exports) any of them can show the progress. Bundles older
than a day are removed when a new build starts, when a status page is read and at every scheduler tick.

The build runs as a job (app/jobs): in the RQ worker when REDIS_URL is set, else in a thread of the web
process, at once in tests. It runs inside a GET request context of its own: a GET makes the database
connection start a plain (read) transaction, so on SQLite a long export never holds the write lock, and
links in the booklet get the site's address.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

from app.extensions import db

MAX_AGE = 24 * 60 * 60  # seconds a bundle is kept
STALE = 15 * 60  # a build that has not reported for this long has died (a restarted server)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def folder() -> Path:
    path = Path(current_app.config.get("EXPORT_FOLDER") or Path(current_app.instance_path) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def zip_path(token: str) -> Path:
    return folder() / f"{token}.zip"


def _status_path(token: str) -> Path:
    return folder() / f"{token}.json"


def write_status(token: str, **fields) -> None:
    """Update the status file atomically (readers never see half a file)."""
    path = _status_path(token)
    status = _raw_status(token) or {}  # not read_status: "stale" is for the page, never written back
    status.update(fields, updated=time.time())
    part = path.with_suffix(".json.tmp")
    part.write_text(json.dumps(status), encoding="utf-8")
    os.replace(part, path)


def _raw_status(token: str) -> dict | None:
    if not TOKEN.match(token or ""):
        return None
    try:
        return json.loads(_status_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_status(token: str) -> dict | None:
    """The status as the page shows it: a build without news for a long time counts as failed."""
    status = _raw_status(token)
    if status is None:
        return None
    if not status.get("done") and not status.get("error") and time.time() - status.get("updated", 0) > STALE:
        status["error"] = "stale"
    return status


def status_for(token: str, user_id: int) -> dict | None:
    """The status of a build, only for the person who started it (others get None: not found)."""
    status = read_status(token)
    if status is None or status.get("user_id") != user_id:
        return None
    return status


def cleanup(max_age: int = MAX_AGE) -> int:
    """Remove bundles and status files older than `max_age` seconds; returns how many files went."""
    removed = 0
    limit = time.time() - max_age
    for path in folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def running_build(process, user_id: int) -> str | None:
    """This person's build of this process that is still running (a second click joins it)."""
    for path in folder().glob("*.json"):
        token = path.stem
        status = read_status(token)
        if (
            status is not None
            and status.get("user_id") == user_id
            and status.get("process") == process.slug
            and not status.get("done")
            and not status.get("error")
        ):
            return token
    return None


def start(process, include: set[str], user_id: int) -> str:
    """Queue the build of the bundle of `process`; returns the token of the build.

    One build per person and process at a time: a second click (or a reload of the form) returns the
    running build instead of starting another CPU-heavy one.
    """
    from app.jobs.queue import enqueue_job

    cleanup()
    running = running_build(process, user_id)
    if running is not None:
        return running
    token = secrets.token_urlsafe(24)
    write_status(
        token,
        user_id=user_id,
        process=process.slug,
        process_name=process.name,
        include=sorted(include),
        percent=0,
        step="queued",
        done=False,
        error=None,
        started=time.time(),
    )
    try:
        # A build that waited longer than STALE counts as failed on the page: the queue drops it then too.
        enqueue_job(build, [token, process.id, sorted(include)], ttl=STALE, description=f"export {token[:6]}")
    except Exception:  # the queue is down: say so on the status page instead of an error page
        current_app.logger.exception("could not queue export %s", token[:6])
        write_status(token, error="failed")
    return token


def build(token: str, process_id: int, include: list[str]) -> None:
    """The job: build the bundle and keep its status file up to date. Never raises (the page shows it)."""
    from app.exports.bundle import build_bundle
    from app.processes.models import Process
    from app.processes.visibility import including_unpublished

    app = current_app._get_current_object()
    with app.test_request_context("/exports", method="GET", base_url=app.config.get("BASE_URL")):
        target = zip_path(token)
        part = target.with_suffix(".zip.part")
        try:
            write_status(token, step="start")
            # asked for by a facilitator or the wijkregisseur, who may export a process not published yet
            with including_unpublished():
                process = db.session.get(Process, process_id)
                summary = build_bundle(
                    process,
                    set(include),
                    part,
                    progress=lambda percent, step: write_status(token, percent=percent, step=step),
                )
            os.replace(part, target)
            write_status(
                token, percent=100, step="done", done=True, size=target.stat().st_size, seconds=summary["seconds"]
            )
        except Exception:  # the page shows that it failed; the log has the details
            app.logger.exception("export %s failed", token[:6])
            part.unlink(missing_ok=True)
            write_status(token, error="failed")
        finally:
            db.session.remove()
