"""Loading seed data from `seeds/` (data) into the database (this loader). Idempotent."""

from __future__ import annotations

import tomllib
from pathlib import Path

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Membership, MembershipStatus, User
from app.extensions import db
from app.models_common import utcnow
from app.processes import services as processes
from app.processes.models import PhaseKey, Process

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def database_is_empty() -> bool:
    return (
        db.session.scalar(sa.select(User.id).limit(1)) is None
        and db.session.scalar(sa.select(Process.id).limit(1)) is None
    )


def load_demo(path: Path = SEEDS / "demo.toml") -> dict[str, int]:
    """Create what is missing of the demo data; leave what exists alone. Returns counts of what was added."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
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
            )
        )
        for key, value in phases.items():
            process.phase(key).note = value.get("note", "")
        process.current_phase = PhaseKey(spec.get("current_phase", "approach")).value
        process.updated_at = utcnow()
        added["processes"] += 1

    db.session.flush()
    from app.seeding_issues import load_demo_issues

    added["issues"] = load_demo_issues(processes.get_process(spec["slug"]), data["password"])
    from app.seeding_agendas import load_demo_agendas

    added["agendas"] = load_demo_agendas(processes.get_process(spec["slug"]))
    from app.seeding_council import load_demo_council

    added["council positions"] = load_demo_council(processes.get_process(spec["slug"]))
    from app.seeding_covenants import load_demo_covenants

    added["covenants"] = load_demo_covenants(processes.get_process(spec["slug"]), data["password"])
    from app.seeding_moderation import load_demo_moderation

    added["moderation log entries"] = load_demo_moderation(processes.get_process(spec["slug"]))

    db.session.flush()
    return added
