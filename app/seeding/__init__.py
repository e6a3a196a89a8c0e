"""Seed data: the demo (`flask seed demo`, from the files in `seeds/`) and synthetic data at scale.

This module loads the demo, idempotently: what exists is left alone. Its parts load the rest of the
demo through the same services as the pages: issues.py (issues, reactions, supports, the round of
points), agendas.py, council.py, covenants.py and moderation.py; data.py reads the seed files.
scale.py makes synthetic data at scale for benchmarks (`flask seed scale`).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Membership, MembershipStatus, User
from app.extensions import db
from app.models_common import utcnow
from app.processes import services as processes
from app.processes.models import PhaseKey, Process
from app.seeding.agendas import load_demo_agendas
from app.seeding.council import load_demo_council
from app.seeding.covenants import load_demo_covenants
from app.seeding.data import SEEDS, read
from app.seeding.issues import load_demo_issues
from app.seeding.moderation import load_demo_moderation


def database_is_empty() -> bool:
    return (
        db.session.scalar(sa.select(User.id).limit(1)) is None
        and db.session.scalar(sa.select(Process.id).limit(1)) is None
    )


def load_demo(path: Path = SEEDS / "demo.toml") -> dict[str, int]:
    """Create what is missing of the demo data; leave what exists alone. Returns counts of what was added."""
    data = read(path)
    added = {"organisations": 0, "users": 0, "processes": 0, "issues": 0, "agendas": 0, "council positions": 0}

    for org in data["organisations"]:
        if accounts.find_organisation(org["name"]) is None:
            accounts.create_organisation(org["name"], org["kind"], org.get("sectors", ()), org.get("description", ""))
            added["organisations"] += 1

    for person in data["users"]:
        if accounts.find_user_by_email(person["email"]) is not None:
            continue
        user = accounts.create_user(
            accounts.NewUser(
                email=person["email"],
                display_name=person["name"],
                role=person["role"],
                password=data["password"],
                organisation=person.get("organisation", ""),
                signatory=person.get("signatory", False),
                check_password=False,
            )
        )
        user.show_name_publicly = person["role"] not in ("resident", "partner")
        if person.get("pending"):
            membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
            membership.status = MembershipStatus.PENDING.value
            membership.decided_at = None
        added["users"] += 1

    spec = data["process"]
    if processes.get_process(spec["slug"]) is None:
        phases = spec.get("phases", {})
        process = processes.create_process(
            processes.ProcessData(
                name=spec["name"],
                neighbourhood=spec["neighbourhood"],
                slug=spec["slug"],
                description=spec.get("description", ""),
                plan=spec.get("plan", ""),
                dates={key: (value.get("starts_on"), value.get("ends_on")) for key, value in phases.items()},
                published=True,  # the demo shows a running process
            )
        )
        for key, value in phases.items():
            process.phase(key).note = value.get("note", "")
        process.current_phase = PhaseKey(spec.get("current_phase", "approach")).value
        process.updated_at = utcnow()
        added["processes"] += 1

    db.session.flush()
    added["issues"] = load_demo_issues(processes.get_process(spec["slug"]), data["password"])
    added["agendas"] = load_demo_agendas(processes.get_process(spec["slug"]))
    added["council positions"] = load_demo_council(processes.get_process(spec["slug"]))
    added["covenants"] = load_demo_covenants(processes.get_process(spec["slug"]), data["password"])
    added["moderation log entries"] = load_demo_moderation(processes.get_process(spec["slug"]))

    db.session.flush()
    return added
