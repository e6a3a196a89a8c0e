"""Demo covenants (seeds/demo_covenants.toml), made, opened and signed through the same services as the pages."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import Organisation, User
from app.agendas.models import Agenda
from app.council import services as council
from app.covenants import services, signing
from app.covenants.models import MUNICIPALITY, Covenant
from app.extensions import db
from app.issues.models import Issue
from app.seeding.data import SEEDS, issue_titles, read
from app.workdays import today as local_today


def load_demo_covenants(process, password: str, path: Path = SEEDS / "demo_covenants.toml") -> int:
    """Add the demo covenants when the process has none yet. Returns how many were added."""
    if db.session.scalar(sa.select(Covenant.id).where(Covenant.process_id == process.id).limit(1)):
        return 0
    data = read(path)
    titles = issue_titles()
    agendas = {
        (issue_title, agenda.horizon): agenda.id
        for agenda, issue_title in db.session.execute(
            sa.select(Agenda, Issue.title)
            .join(Issue, Issue.id == Agenda.issue_id)
            .where(Issue.process_id == process.id)
        )
    }
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    organisations = {o.name: str(o.id) for o in db.session.scalars(sa.select(Organisation))}
    clerk = next((u for u in users.values() if u.role == "council"), None)
    added = 0
    for spec in data["covenants"]:
        wanted = [agendas.get((titles[a["issue"]], a["horizon"])) for a in spec["agendas"]]
        drafter = users[spec["created_by"]]
        covenant = services.create(drafter, process, [i for i in wanted if i], spec["title"])
        for extra in spec.get("add_parties", []):
            services.add_party(drafter, covenant, organisations[extra["organisation"]], extra["reason"])
        if spec.get("add_parties"):
            _name_in_text(drafter, covenant, spec["add_parties"], spec["add_parties_message"])
        if "council" in spec and clerk is not None:
            decision = spec["council"]
            council.record_position(
                clerk,
                council.PositionData(
                    process_id=process.id,
                    kind="council_decision",
                    decided_on=decision.get("decided_on", local_today()),
                    reference=decision["reference"],
                    title=decision["title"],
                    summary=decision.get("summary", ""),
                    outcome="approved",
                    covenant_ids=[covenant.id],
                ),
            )
        opened = services.open_for_signature(drafter, covenant)
        for signer in spec.get("sign", []):
            party = MUNICIPALITY if signer["organisation"] == MUNICIPALITY else organisations[signer["organisation"]]
            person = users[signer["email"]]
            signing.sign(
                person,
                covenant,
                signing.SignData(opened.content_hash, party, password, person.display_name, confirmed=True),
            )
        added += 1
    db.session.flush()
    return added


def _name_in_text(drafter, covenant, added: list[dict], message: str) -> None:
    """A party added by hand signs the text too, so the text names it: in the list of parties, and with
    its commitment in its own section, as a drafter would write them in. The text is the one proposed
    from the agendas (app/covenants/drafting.py), in the same language, so its headings are known."""
    document = services.TEXTS.document(covenant)
    lines = document["fields"]["text"].split("\n")

    def section(heading: str) -> tuple[int, int]:
        start = lines.index("## " + heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        return start, end

    start, end = section(_("What each party commits to"))
    for extra in added:
        lines[end:end] = [f"### {extra['organisation']}", "", f"- {extra['commitment']}", ""]
        end += 4
    start, end = section(_("Parties"))
    last = max(i for i in range(start, end) if lines[i].startswith("- "))
    lines[last + 1 : last + 1] = [f"- {extra['organisation']}" for extra in added]
    services.save_text(
        drafter, covenant, covenant.current_revision, document["fields"]["title"], "\n".join(lines), message
    )
