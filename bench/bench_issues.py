"""Issue list and issue page at scale. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_issues.py [--issues 10000 --supports 100000 --comments 30000 --requests 200]
    DATABASE_URL=postgresql://... .venv/bin/python bench/bench_issues.py   # against PostgreSQL

Seeds a fresh database with `load_scale` (the code behind `flask seed scale`), then measures
server time with Flask's test client (no network) and counts SQL queries per page.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.issues.models import Issue
from app.processes import services as processes
from app.seeding.scale import load_scale
from config import DevelopmentConfig


def measure(client, urls, n, engine):
    samples, queries, counter = [], [], []

    def count(*_args):
        counter.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for i in range(n):
            url = urls[i % len(urls)]
            counter.clear()
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            queries.append(len(counter))
            assert response.status_code == 200, (url, response.status_code)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return samples, queries


def report(label, samples, queries):
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(
        f"{label:42s} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries {min(queries)}-{max(queries)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--supports", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=30_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bw-bench-')) / 'bench.sqlite'}"
    app = create_app(
        DevelopmentConfig,
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory"},
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        process = processes.create_process(
            processes.ProcessData(name="Bench", neighbourhood="Bench", slug="bench", published=True)
        )
        process.current_phase = "issues"
        made = load_scale(process, issues=args.issues, users=args.users, votes=args.supports, comments=args.comments)
        db.session.commit()
        seeded = time.perf_counter() - start
        ids = list(db.session.scalars(sa.select(Issue.id)))
        engine = db.engine
    print(
        f"{url.split(':')[0]}: seeded " + ", ".join(f"{n} {what}" for what, n in made.items()) + f" in {seeded:.1f}s\n"
    )
    rng = random.Random(1)
    client = app.test_client()
    n = args.requests
    pages = [f"/processes/bench/issues?page={rng.randint(1, args.issues // 20)}" for _ in range(20)]
    report("list, newest, random page", *measure(client, pages, n, engine))
    report("list, most supported, page 1", *measure(client, ["/processes/bench/issues?sort=supported"], n, engine))
    report("list, random order, page 1", *measure(client, ["/processes/bench/issues?sort=random"], n, engine))
    report(
        "list, search 'jongeren licht'", *measure(client, ["/processes/bench/issues?q=jongeren+licht"], n // 2, engine)
    )
    report("list, domain filter", *measure(client, ["/processes/bench/issues?domain=safety&sort=discussed"], n, engine))
    report(
        "issue page (about 3 comments each)",
        *measure(client, [f"/issues/{rng.choice(ids)}" for _ in range(50)], n, engine),
    )
    report("API issue list page", *measure(client, ["/api/v1/processes/bench/issues?page=7"], n, engine))


if __name__ == "__main__":
    main()
