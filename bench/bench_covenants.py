"""Rough figures for covenants. Prints; asserts nothing.

    .venv/bin/python bench/bench_covenants.py [--requests N] [--covenants N]

The demo data plus N synthetic covenants (each opened and signed by two parties) in a temporary
SQLite database, through Flask's test client: the list, a covenant page, a version's PDF (WeasyPrint),
verification, the API list and detail, and the number of SQL queries per page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask_sqlalchemy.record_queries import get_recorded_queries

from app import create_app
from app.accounts.models import User
from app.covenants import services, signing
from app.covenants.models import Covenant
from app.extensions import db
from app.processes.models import Process
from app.seeding import load_demo
from bench.bench_pages import PASSWORD, report, timed
from config import DevelopmentConfig


def seed(count: int) -> None:
    """Copies of the demo's open covenant, each opened and signed by De Goede Woning."""
    process = db.session.scalar(sa.select(Process))
    drafter = db.session.scalar(sa.select(User).where(User.email == "wijkregisseur@example.org"))
    signer = db.session.scalar(sa.select(User).where(User.email == "bestuurder@example.org"))
    template = db.session.get(Covenant, 2)
    agenda_ids = [a.id for a in template.agendas]
    for n in range(count):
        covenant = services.create(drafter, process, agenda_ids, f"Convenant {n}")
        found = services.open_for_signature(drafter, covenant)
        party = next(p["party"] for p in found.parties if p["name"] == "De Goede Woning")
        data = signing.SignData(found.content_hash, party, PASSWORD, signer.display_name, True)
        signing.sign(signer, covenant, data)
    db.session.commit()


def queries(app, client, url) -> int:
    with app.app_context():
        client.get(url)
        return len(get_recorded_queries())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--covenants", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bw-bench-"))
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "memory",
        "SQLALCHEMY_RECORD_QUERIES": True,
    }
    app = create_app(DevelopmentConfig, settings)
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        seed(args.covenants)
        fingerprint = services.version(db.session.get(Covenant, 1)).content_hash
    client = app.test_client()
    n = args.requests
    print(f"{args.covenants + 2} covenants, {n} requests per page\n")
    pages = [
        ("list /covenants/", "/covenants/"),
        ("covenant page /covenants/1", "/covenants/1"),
        ("version page /covenants/1/versions/1", "/covenants/1/versions/1"),
        ("verify a fingerprint", f"/covenants/verify?fingerprint={fingerprint}"),
        ("canonical form", "/covenants/1/versions/1/canonical.txt"),
        ("API list /api/v1/covenants", "/api/v1/covenants"),
        ("API detail /api/v1/covenants/1", "/api/v1/covenants/1"),
    ]
    for label, url in pages:
        report(f"{label} ({queries(app, client, url)} queries)", timed(client, "get", url, n))
    report("PDF of version 1 (WeasyPrint)", timed(client, "get", "/covenants/1/versions/1.pdf", max(5, n // 5)))
    size = len(client.get("/covenants/1/versions/1.pdf").data)
    print(f"\nPDF size: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
