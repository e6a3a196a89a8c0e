"""The balance page, the moderation queue and the public log at scale. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_moderation.py [--issues 10000 --supports 100000 --comments 30000 --reports 2000]
    DATABASE_URL=postgresql://... .venv/bin/python bench/bench_moderation.py   # against PostgreSQL

The balance is computed from the events where they live (one UNION query per view of it), so
this shows what that costs with `flask seed scale` data.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.issues.models import Comment, Report
from app.models_common import utcnow
from app.moderation.models import ModerationAction
from app.processes import services as processes
from app.seeding.scale import load_scale
from bench.bench_issues import measure, report
from config import DevelopmentConfig

PASSWORD = "bench-moderator-password-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--supports", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=30_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--reports", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bw-bench-')) / 'bench.sqlite'}"
    app = create_app(
        DevelopmentConfig,
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "memory",
            "WTF_CSRF_ENABLED": False,
        },
    )
    rng = random.Random(1)
    with app.app_context():
        db.drop_all()
        db.create_all()
        process = processes.create_process(
            processes.ProcessData(name="Bench", neighbourhood="Bench", slug="bench", published=True)
        )
        process.current_phase = "issues"
        made = load_scale(process, issues=args.issues, users=args.users, votes=args.supports, comments=args.comments)
        comment_ids = list(db.session.scalars(sa.select(Comment.id)))
        user_ids = list(db.session.scalars(sa.text("SELECT id FROM users")))
        pairs = {(rng.choice(comment_ids), rng.choice(user_ids)) for _ in range(args.reports)}
        db.session.execute(
            sa.insert(Report),
            [
                {"target_type": "comment", "target_id": c, "reporter_id": u, "reason": "Bench", "created_at": utcnow()}
                for c, u in pairs
            ],
        )
        db.session.execute(
            sa.insert(ModerationAction),
            [
                {
                    "process_id": process.id,
                    "action": "hide",
                    "target_type": "comment",
                    "target_id": c,
                    "reason": "Bench reason",
                    "details": {},
                    "created_at": utcnow(),
                }
                for c in rng.sample(comment_ids, min(5_000, len(comment_ids)))
            ],
        )
        db.session.commit()
        engine = db.engine
    print(f"{url.split(':')[0]}: " + ", ".join(f"{n} {what}" for what, n in made.items()) + f", {len(pairs)} reports\n")
    client = app.test_client()
    n = args.requests
    report("balance page (whole process)", *measure(client, ["/processes/bench/balance"], n, engine))
    report("public moderation log, page 1", *measure(client, ["/moderation/log"], n * 5, engine))
    report("public moderation log, page 100", *measure(client, ["/moderation/log?page=100"], n * 5, engine))
    with app.app_context():
        db.session.add(
            User(
                email="bench-moderator@example.org",
                display_name="Bench",
                role="wijkregisseur",
                password_hash=hash_password(PASSWORD),
            )
        )
        db.session.commit()
    moderator = app.test_client()
    moderator.post("/login", data={"email": "bench-moderator@example.org", "password": PASSWORD})
    report("moderation queue, page 1", *measure(moderator, ["/moderation"], n * 5, engine))
    report("moderation queue, page 40", *measure(moderator, ["/moderation?page=40"], n * 5, engine))


if __name__ == "__main__":
    main()
