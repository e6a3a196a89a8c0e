"""A covenant world for tests: a process in phase 4, agreed agendas, partners with signatories, an alderman.

`make_covenant(app)` returns a SimpleNamespace with ids and the people (each with email and password):
    process, covenant_id, agenda_ids, orgs (two organisations), signatories (one per organisation),
    wethouder, drafter (a wijkregisseur), resident, partner (a member who is not a signatory).
By default the municipality commits no money, so no council approval is needed; pass
`municipal_money=True` to give the municipality an activity with euros (then opening needs the council).
"""

from __future__ import annotations

from types import SimpleNamespace

from app.extensions import db
from tests.conftest import make_issue, make_organisation, make_process, make_user


def agreed_agenda(app, issue_id: int, author_id: int, activities: list[dict], horizon: int = 1, **fields) -> int:
    """An agenda with one revision, marked agreed (as a closed consent round would)."""
    from app.accounts.models import User
    from app.agendas import services as agendas
    from app.agendas.models import AgendaStatus
    from app.issues.models import Issue

    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        user = db.session.get(User, author_id)
        agenda = agendas.agenda_for(issue, horizon, create=True)
        texts = {
            "summary": fields.get("summary", "We maken het fietspad veilig en licht."),
            "review_moment": fields.get("review_moment", "Elk kwartaal in de wijkraad."),
            "reviewers": fields.get("reviewers", "De werkgroep en de wijkregisseur."),
            "success": fields.get("success", "Minder meldingen van onveilige plekken."),
        }
        document = {"fields": texts, "items": [{"id": f"a{i}", **a} for i, a in enumerate(activities)]}
        document = agendas.validate_activities(document)
        saved = agendas.save(user, agenda, agenda.current_revision, document, "test")
        assert saved.revision is not None
        agenda.status = AgendaStatus.AGREED.value
        agenda.agreed_revision = agenda.current_revision
        db.session.commit()
        return agenda.id


def _organisation(app, name: str):
    """The organisation with this name, made when missing (a test may build two covenant worlds)."""
    from app.accounts.services import find_organisation

    with app.app_context():
        found = find_organisation(name)
        if found is not None:
            return SimpleNamespace(id=found.id, name=found.name)
    return make_organisation(app, name)


def make_covenant(app, municipal_money: bool = False, phase: str = "covenants", title: str = "Veilig fietspad"):
    from app.accounts.models import User
    from app.covenants import services
    from app.processes.models import Process

    process = make_process(app, phase=phase)
    org_a = _organisation(app, "Woningcorporatie De Veste")
    org_b = _organisation(app, "Welzijn Zoetermeer")
    sign_a = make_user(app, role="partner", org=org_a.name, signatory=True, name="Anna de Vries")
    sign_b = make_user(app, role="partner", org=org_b.name, signatory=True, name="Bart Jansen")
    partner = make_user(app, role="partner", org=org_a.name, name="Piet Partner")
    wethouder = make_user(app, role="wethouder", name="Wim Wethouder")
    drafter = make_user(app, role="wijkregisseur", name="Wendy Regisseur")
    resident = make_user(app, role="resident")
    issue = make_issue(app, process.id, resident.id, title="Meer licht op het fietspad", status="shortlisted")
    activities = [
        {"title": "Lantaarns plaatsen", "responsible": str(org_a.id), "euros": 25000, "from_q": "2027-Q1"},
        {"title": "Buurtavond over veiligheid", "responsible": str(org_b.id), "hours": 40, "to_q": "2027-Q4"},
        {
            "title": "Groen snoeien",
            "responsible": "municipality",
            "euros": 5000 if municipal_money else None,
            "indicator": "Het pad is overal zichtbaar.",
        },
    ]
    agenda_id = agreed_agenda(app, issue.id, drafter.id, activities)
    with app.app_context():
        covenant = services.create(
            db.session.get(User, drafter.id), db.session.get(Process, process.id), [agenda_id], title
        )
        db.session.commit()
        covenant_id = covenant.id
    return SimpleNamespace(
        process=process,
        covenant_id=covenant_id,
        agenda_ids=[agenda_id],
        issue=issue,
        orgs=[org_a, org_b],
        signatories=[sign_a, sign_b],
        partner=partner,
        wethouder=wethouder,
        drafter=drafter,
        resident=resident,
    )


def open_covenant(app, world) -> str:
    """Open the covenant for signature as the drafter; returns the fingerprint."""
    from app.accounts.models import User
    from app.covenants import services

    with app.app_context():
        covenant = services.get(world.covenant_id)
        found = services.open_for_signature(db.session.get(User, world.drafter.id), covenant)
        db.session.commit()
        return found.content_hash


def sign_as(app, world, person, party: str, password: str | None = None, full_name: str | None = None):
    """Sign the open version as `person` for `party` through the service (not the page)."""
    from app.accounts.models import User
    from app.covenants import services, signing

    with app.app_context():
        covenant = services.get(world.covenant_id)
        current = services.version(covenant)
        signature = signing.sign(
            db.session.get(User, person.id),
            covenant,
            signing.SignData(
                fingerprint=current.content_hash,
                party=party,
                password=password or person.password,
                full_name=full_name or person.display_name,
                confirmed=True,
            ),
        )
        db.session.commit()
        return signature.id


def sign_all(app, world) -> None:
    """Every party signs the open version: the covenant comes into force."""
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id))
    sign_as(app, world, world.signatories[1], str(world.orgs[1].id))
    sign_as(app, world, world.wethouder, "municipality")
