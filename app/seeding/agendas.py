"""Demo agendas (seeds/demo_agendas.toml): working groups, revisions, one agreed agenda, one open round."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.agendas.models import (
    Agenda,
    AgendaRevision,
    AgendaStatus,
    ConsentAnswer,
    ConsentRound,
    IssueLink,
    WorkingGroupMember,
)
from app.agendas.services import MUNICIPALITY, validate_document
from app.extensions import db
from app.issues.models import Issue
from app.models_common import utcnow
from app.seeding.data import SEEDS, issue_titles, read


def load_demo_agendas(process, path: Path = SEEDS / "demo_agendas.toml") -> int:
    """Add the demo agendas when the process has none yet. Returns how many agendas were added."""
    issue_ids = sa.select(Issue.id).where(Issue.process_id == process.id)
    if db.session.scalar(sa.select(Agenda.id).where(Agenda.issue_id.in_(issue_ids)).limit(1)) is not None:
        return 0
    data = read(path)
    titles = issue_titles()
    issues = {i.title: i for i in db.session.scalars(sa.select(Issue).where(Issue.process_id == process.id))}
    by_key = {key: issues[title] for key, title in titles.items() if title in issues}
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    organisations = {o.name: str(o.id) for o in db.session.scalars(sa.select(Organisation))}
    now = utcnow()

    def party(name: str) -> str:
        return MUNICIPALITY if name == MUNICIPALITY else organisations.get(name, "")

    for spec in data.get("members", []):
        db.session.add(
            WorkingGroupMember(
                issue_id=by_key[spec["issue"]].id,
                user_id=users[spec["email"]].id,
                status=spec["status"],
                motivation=spec.get("motivation", ""),
                decided_at=now if spec["status"] != "pending" else None,
            )
        )
    for spec in data.get("links", []):
        db.session.add(
            IssueLink(
                process_id=process.id,
                from_issue_id=by_key[spec["from"]].id,
                to_issue_id=by_key[spec["to"]].id,
                kind=spec["kind"],
                note=spec["note"],
                created_by_id=users["wijkregisseur@example.org"].id,
            )
        )
    added = 0
    for spec in data.get("agendas", []):
        agenda = Agenda(issue_id=by_key[spec["issue"]].id, horizon=spec["horizon"])
        db.session.add(agenda)
        db.session.flush()
        for number, rev in enumerate(spec["revisions"], start=1):
            items = []
            for activity in rev.get("activities", []):
                item = {"status": "proposed", **activity}
                item["responsible"] = party(item.get("responsible", ""))
                item["contributors"] = sorted(filter(None, (party(c) for c in item.get("contributors", []))))
                items.append(item)
            document = validate_document({"fields": dict(rev["fields"]), "items": items})
            db.session.add(
                AgendaRevision(
                    agenda_id=agenda.id,
                    number=number,
                    document=document,
                    message=rev["message"],
                    author_id=users[rev["author"]].id,
                    created_at=now - timedelta(days=rev["days_ago"]),
                )
            )
            agenda.current_revision = number
        if spec.get("consent"):
            round_ = ConsentRound(
                agenda_id=agenda.id,
                revision_number=agenda.current_revision,
                opened_by_id=users["wijkregisseur@example.org"].id,
                opened_at=now - timedelta(days=4),
            )
            db.session.add(round_)
            db.session.flush()
            for answer in spec.get("answers", []):
                db.session.add(
                    ConsentAnswer(
                        round_id=round_.id,
                        user_id=users[answer["email"]].id,
                        answer=answer["answer"],
                        reason=answer.get("reason", ""),
                        revision_number=agenda.current_revision,
                        answered_at=now - timedelta(days=2),
                    )
                )
            if spec["consent"] == "agreed":
                round_.open, round_.agreed, round_.closed_at = False, True, now - timedelta(days=1)
                agenda.status, agenda.agreed_revision = AgendaStatus.AGREED.value, agenda.current_revision
            else:
                agenda.status = AgendaStatus.CONSENT.value
        added += 1
    db.session.flush()
    return added
