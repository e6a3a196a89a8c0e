"""The agreed agendas a covenant is drawn from (which can be chosen, what they propose, what they
commit) and the names of the parties that follow from them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import Organisation
from app.agendas.models import Agenda, AgendaRevision, AgendaStatus
from app.covenants import drafting
from app.covenants.models import MUNICIPALITY, Covenant, covenant_agendas
from app.extensions import db
from app.issues.models import Issue
from app.revisions.documents import normalise


def agreed_agendas(process_id: int) -> list[Agenda]:
    """Agreed agendas of visible issues in a process: what a covenant can be drawn from."""
    return list(
        db.session.scalars(
            sa.select(Agenda)
            .join(Issue, Issue.id == Agenda.issue_id)
            .where(
                Issue.process_id == process_id,
                Issue.visibility == "visible",
                Agenda.status == AgendaStatus.AGREED.value,
                Agenda.agreed_revision.is_not(None),
            )
            .order_by(Issue.title, Agenda.horizon)
            .options(selectinload(Agenda.issue))
        )
    )


def _sources(agendas: list[Agenda]) -> list[drafting.AgendaSource]:
    wanted = [(a.id, a.agreed_revision) for a in agendas]
    documents = {}
    if wanted:
        rows = db.session.scalars(
            sa.select(AgendaRevision).where(
                sa.or_(*(sa.and_(AgendaRevision.agenda_id == i, AgendaRevision.number == n) for i, n in wanted))
            )
        )
        documents = {r.agenda_id: _municipality_as_one(normalise(r.document)) for r in rows}
    return [drafting.AgendaSource(_title(a), a.horizon, documents.get(a.id, normalise(None))) for a in agendas]


def _title(agenda: Agenda) -> str:
    """The issue's title; an issue hidden since the covenant was drawn up is not named (app/issues/visibility.py)."""
    issue = agenda.issue
    return issue.title if issue is not None and issue.is_visible else _("an issue hidden by moderation")


def municipality_organisations() -> set[str]:
    """Organisations of the kind "municipality": the municipality itself, which signs through an alderman."""
    return {str(i) for i in db.session.scalars(sa.select(Organisation.id).where(Organisation.kind == "municipality"))}


def _municipality_as_one(document: dict) -> dict:
    """An agenda may name the municipality's own organisation as responsible: it is the party "municipality"
    (so its money needs the council and its signature comes from an alderman), never a second party."""
    own = municipality_organisations()
    for item in document["items"]:
        if item.get("responsible") in own:
            item["responsible"] = MUNICIPALITY
    return document


def proposal(agendas: list[Agenda]) -> tuple[str, list[str], bool]:
    """(proposed text, required party keys, commits municipal money or staff?) for these agendas."""
    sources = _sources(agendas)
    keys = drafting.required_parties(sources)
    return drafting.proposed_text(sources, party_names(keys)), keys, drafting.commits_municipality(sources)


def agendas_of(covenant: Covenant) -> list[Agenda]:
    """The agendas a covenant is drawn from, with their issues (two queries)."""
    return list(
        db.session.scalars(
            sa.select(Agenda)
            .join(covenant_agendas, covenant_agendas.c.agenda_id == Agenda.id)
            .where(covenant_agendas.c.covenant_id == covenant.id)
            .order_by(Agenda.id)
            .options(selectinload(Agenda.issue))
        )
    )


def agendas_commit_municipality(covenant: Covenant) -> bool:
    """Do the covenant's agendas give the municipality money, hours, staff or means?"""
    return drafting.commits_municipality(_sources(list(covenant.agendas)))  # without writing the proposed text


def municipality_name() -> str:
    """The municipality as a party: its organisation on the platform if there is one (as the API names it)."""
    registered = db.session.scalar(
        sa.select(Organisation.name).where(Organisation.kind == "municipality").order_by(Organisation.id).limit(1)
    )
    return registered or current_app.config.get("MUNICIPALITY_NAME") or _("Municipality")


def party_names(keys) -> dict[str, str]:
    ids = [int(k) for k in keys if k != MUNICIPALITY and str(k).isdigit()]
    names = {MUNICIPALITY: municipality_name()}
    if ids:
        rows = db.session.execute(sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
        names.update({str(i): n for i, n in rows})
    return names
