"""The daily digest for 10,000 people with 100,000 events between them. Prints figures; asserts nothing.

    .venv/bin/python bench/digest.py [--people 10000 --events 100000 --issues 2000 --no-trace]
    DATABASE_URL=postgresql://... .venv/bin/python bench/digest.py   # against PostgreSQL (the tables are reset)

Fills a temporary SQLite database (or DATABASE_URL) with `flask seed scale` accounts, issues and reactions,
then bulk-inserts the events (reactions on someone's issue, replies to their reaction) and one notification
each for a random person, all of the "reactions" topic, which everyone gets in the daily digest by default.
Then it measures the two halves of a morning separately:

1. the daily run (`run_daily_digest`): finding who gets a digest and queueing one outbox row per person, in
   batches of 500 people per transaction;
2. sending them all (`deliver_due` until the outbox is empty, with the memory mail backend): composing each
   digest in its reader's language with the checks of visibility and choices, building the message, and
   recording it as sent.

For each: the wall time, the peak Python memory (tracemalloc, which also slows Python down; `--no-trace`
for times without it) and the process's peak resident memory so far (ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.issues.models import Comment, Issue
from app.mail import deliver_due, outbox
from app.mail.models import OutboxMail
from app.models_common import utcnow
from app.notifications.models import Event, Notification
from app.processes import services as processes
from app.seeding.scale import load_scale
from config import DevelopmentConfig

CHUNK = 10_000  # rows per bulk insert


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def fill(process, people: int, events: int, issues: int, rng: random.Random) -> None:
    made = load_scale(process, issues=issues, users=people, votes=0, comments=issues * 10)
    now = utcnow()
    # every account confirmed its address; one in five reads English
    db.session.execute(sa.update(User).values(email_verified_at=now))
    db.session.execute(sa.update(User).where(User.id % 5 == 0).values(language="en"))
    user_ids = list(db.session.scalars(sa.select(User.id)))
    comments = db.session.execute(sa.select(Comment.id, Comment.issue_id, Comment.author_id)).all()
    authors = dict(db.session.execute(sa.select(Issue.id, Issue.author_id)).all())
    first_event = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Event.id), 0)))
    for start in range(0, events, CHUNK):
        rows, readers = [], []
        for n in range(start, min(events, start + CHUNK)):
            comment_id, issue_id, actor_id = rng.choice(comments)
            reply = n % 3 == 0
            at = now - timedelta(minutes=rng.randrange(24 * 60))
            rows.append(
                {
                    "kind": "comment_reply" if reply else "issue_reaction",
                    "created_at": at,
                    "actor_id": actor_id,
                    "process_id": process.id,
                    "issue_id": issue_id,
                    "comment_id": comment_id,
                    "data": {},
                }
            )
            # a reaction tells the issue's author; a reply someone who reacted: spread over everyone
            readers.append((authors.get(issue_id) if not reply and n % 2 else None) or rng.choice(user_ids))
        db.session.execute(sa.insert(Event), rows)
        ids = list(
            db.session.scalars(
                sa.select(Event.id).where(Event.id > first_event + start).order_by(Event.id).limit(len(rows))
            )
        )
        db.session.execute(
            sa.insert(Notification),
            [
                {"user_id": reader, "event_id": event_id, "topic": "reactions", "created_at": row["created_at"]}
                for reader, event_id, row in zip(readers, ids, rows, strict=True)
            ],
        )
        db.session.commit()
    print(
        f"{made['users']} people, {made['issues']} issues, {made['comments']} reactions, "
        f"{events} events with a notification each"
    )


def phase(name: str, trace: bool, work):
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    memory = f", peak Python memory {peak:.1f} MiB" if peak is not None else ""
    print(f"{name}: {seconds:.1f} s{memory}, peak resident memory so far {rss_mib():.0f} MiB  ({result})")
    return result


def send_all() -> str:
    sent = rounds = 0
    while True:
        done = deliver_due(limit=500, rounds=1)
        rounds += 1
        sent += done
        outbox().clear()  # the memory backend keeps what it "sent": counted, then let go (every 500)
        if not done and not db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMail).where(OutboxMail.status == "pending")
        ):
            return f"{sent} mails sent in {rounds} rounds"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=2_000)
    parser.add_argument("--no-trace", action="store_true", help="times without tracemalloc's overhead")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bw-bench-')) / 'bench.sqlite'}"
    app = create_app(
        DevelopmentConfig,
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "BASE_URL": "https://bench.example",
            "MAIL_BACKEND": "memory",
            "RUN_SCHEDULER": False,
            "JOBS_SYNC": True,
        },
    )
    from app.notifications import digests  # needs every model mapped: after create_app

    # Sending is measured on its own below: the run must not start it after each batch's commit.
    digests.deliver_after_commit = lambda: None
    rng = random.Random(1)
    with app.app_context():
        db.drop_all()
        db.create_all()
        process = processes.create_process(
            processes.ProcessData(name="Bench", neighbourhood="Bench", slug="bench", published=True)
        )
        process.current_phase = "issues"
        fill(process, args.people, args.events, args.issues, rng)
    print(f"{url.split(':')[0]}; peak resident memory after filling {rss_mib():.0f} MiB\n")
    trace = not args.no_trace
    with app.app_context():
        phase("daily run (queue one digest per person)", trace, digests.run_daily_digest)
    with app.app_context():
        phase("sending (compose, build, record every digest)", trace, send_all)
    with app.app_context():
        left = db.session.scalar(sa.select(sa.func.count()).where(Notification.mailed_at.is_(None)))
        print(f"\nnotifications not yet mailed afterwards: {left}")


if __name__ == "__main__":
    main()
