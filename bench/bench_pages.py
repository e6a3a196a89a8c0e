"""Rough figures for the foundation's hot paths. Prints; asserts nothing.

    .venv/bin/python bench/bench_pages.py [--requests N]

Uses a temporary SQLite database with the demo data plus synthetic accounts,
and Flask's test client (no network), so it measures the application itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.seeding import load_demo
from config import DevelopmentConfig

PASSWORD = "lantaarn-fiets-dinsdag-42"


def timed(client, method, url, n, **kwargs):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = getattr(client, method)(url, **kwargs)
        samples.append(time.perf_counter() - start)
        assert response.status_code < 500, (url, response.status_code)
    return samples


def report(label, samples):
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"{label:45s} median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   n={len(ms)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--users", type=int, default=5000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bw-bench-"))
    app = create_app(
        DevelopmentConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "memory",
        },
    )
    with app.app_context():
        db.create_all()
        load_demo()
        password_hash = db.session.scalar(sa.select(User.password_hash).limit(1))
        db.session.execute(
            sa.insert(User),
            [
                {
                    "email": f"bench{i}@example.org",
                    "display_name": f"Bench {i}",
                    "password_hash": password_hash,
                    "role": "resident",
                }
                for i in range(args.users)
            ],
        )
        db.session.commit()

    n = args.requests
    anonymous = app.test_client()
    print(f"SQLite, {args.users} extra accounts, {n} requests per page, one process\n")
    report("GET /", timed(anonymous, "get", "/", n))
    report("GET /processes/buytenwegh (visitor)", timed(anonymous, "get", "/processes/buytenwegh", n))
    report("GET /login", timed(anonymous, "get", "/login", n))
    report("GET /healthz", timed(anonymous, "get", "/healthz", n))
    resident = app.test_client()
    resident.post("/login", data={"email": "bewoner@example.org", "password": PASSWORD})
    report("GET /processes/buytenwegh (resident)", timed(resident, "get", "/processes/buytenwegh", n))
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    report(f"GET /admin/users (page 1 of {args.users // 25 + 1})", timed(admin, "get", "/admin/users", n // 4))
    report("GET /admin/users?q=bench4 (search)", timed(admin, "get", "/admin/users?q=bench4", n // 4))
    login_n = max(5, n // 20)
    for label, email in (
        ("POST /login, right password (scrypt)", "bewoner@example.org"),
        ("POST /login, unknown account (dummy scrypt)", "x@example.org"),
    ):
        # a fresh browser each time: a signed-in client is sent on without checking the password
        samples = [
            timed(app.test_client(), "post", "/login", 1, data={"email": email, "password": PASSWORD})[0]
            for _ in range(login_n)
        ]
        report(label, samples)


if __name__ == "__main__":
    main()
