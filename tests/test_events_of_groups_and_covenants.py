"""Events of working groups, memberships and covenants are recorded where they happen, once, with their data.

The same checks as tests/test_events_recorded.py (its helpers), for consent rounds and objections, admission
to a working group, memberships of organisations, and covenants through the real open, sign, end and council
flows: exactly one event of each kind, nothing for a refused or invalid action.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.workdays import today as local_today
from tests.conftest import PASSWORD, make_issue, make_process, make_user
from tests.test_events_recorded import browser, kinds, login, only, recorded

# --- working groups: consent rounds and admission ------------------------------------------------------

READY = {
    "base": "0",
    "message": "tekst",
    "summary": "Veilig winkelen",
    "review_moment": "Elk half jaar",
    "reviewers": "De werkgroep",
    "success": "Minder meldingen",
}


@pytest.fixture
def group(app):
    process = make_process(app, phase="agendas")
    issue = make_issue(app, process.id, make_user(app).id, title="Veilig winkelgebied", status="shortlisted")
    partner, partner_person = browser(app, role="partner")
    director, director_person = browser(app, role="wijkregisseur")
    assert partner.post(f"/issues/{issue.id}/agendas/1/texts", data=READY).status_code == 302
    with app.app_context():
        from app.agendas.models import Agenda

        agenda_id = db.session.scalar(sa.select(Agenda.id).where(Agenda.issue_id == issue.id))
    return SimpleNamespace(
        issue=issue,
        agenda_id=agenda_id,
        partner=partner,
        partner_person=partner_person,
        director=director,
        director_person=director_person,
    )


def consent(client, issue_id, action):
    return client.post(f"/issues/{issue_id}/agendas/1/consent/{action}")


def answer(client, issue_id, value, reason=""):
    return client.post(f"/issues/{issue_id}/agendas/1/consent/answer", data={"answer": value, "reason": reason})


def objection_id(app):
    from app.agendas.models import ConsentAnswer

    with app.app_context():
        return db.session.scalar(sa.select(ConsentAnswer.id).where(ConsentAnswer.answer == "object"))


def test_opening_a_consent_round_is_recorded_with_its_horizon(app, group):
    resident, _ = browser(app)
    assert consent(resident, group.issue.id, "open").status_code == 403
    assert recorded(app) == []
    assert consent(group.director, group.issue.id, "open").status_code == 302
    assert consent(group.director, group.issue.id, "open").status_code == 302  # open already: refused, told
    event = only(app, "consent_opened")
    assert (event.issue_id, event.agenda_id, event.actor_id) == (
        group.issue.id,
        group.agenda_id,
        group.director_person.id,
    )
    assert event.data == {"horizon": 1, "revision": 1}


def test_an_objection_is_recorded_and_its_answer_too(app, group):
    consent(group.director, group.issue.id, "open")
    objector, objector_person = browser(app, role="partner", org="De Goede Woning")
    assert answer(objector, group.issue.id, "object", "kort").status_code == 400  # too short: nothing
    assert answer(group.partner, group.issue.id, "agree").status_code == 302  # agreeing is no event
    assert answer(group.partner, group.issue.id, "concerns", "Let op de kosten van de lampen.").status_code == 302
    assert kinds(app) == ["consent_opened"]

    assert answer(objector, group.issue.id, "object", "De kosten voor verlichting ontbreken nog.").status_code == 302
    raised = only(app, "objection_raised")
    answer_id = objection_id(app)
    assert (raised.issue_id, raised.agenda_id, raised.actor_id) == (group.issue.id, group.agenda_id, objector_person.id)
    assert raised.data == {"horizon": 1, "answer_id": answer_id}
    # the same objection sent again is nothing new
    answer(objector, group.issue.id, "object", "De kosten voor verlichting ontbreken nog.")
    assert len(recorded(app, "objection_raised")) == 1

    response = group.director.post(
        f"/consent-answers/{answer_id}/respond", data={"response": "We zetten de kosten in de volgende versie."}
    )
    assert response.status_code == 302
    answered = only(app, "objection_answered")
    assert (answered.issue_id, answered.agenda_id, answered.actor_id) == (
        group.issue.id,
        group.agenda_id,
        group.director_person.id,
    )
    assert answered.data == {"horizon": 1, "answer_id": answer_id, "objector_id": objector_person.id}

    # a changed objection after the answer is a new one
    assert answer(objector, group.issue.id, "object", "De kosten staan er nog steeds niet in.").status_code == 302
    assert len(recorded(app, "objection_raised")) == 2


def test_an_objection_answered_with_a_revision_names_it(app, group):
    consent(group.director, group.issue.id, "open")
    objector, _ = browser(app, role="partner", org="De Goede Woning")
    answer(objector, group.issue.id, "object", "De kosten voor verlichting ontbreken nog.")
    answer_id = objection_id(app)
    assert group.director.post(f"/consent-answers/{answer_id}/respond", data={"with_revision": "y"}).status_code == 302
    assert recorded(app, "objection_answered") == []  # no new revision yet: refused
    activity = {"base": "1", "title": "Verlichting", "status": "proposed", "message": "kosten", "euros": "25000"}
    assert group.partner.post(f"/issues/{group.issue.id}/agendas/1/activities/new", data=activity).status_code == 302
    assert group.director.post(f"/consent-answers/{answer_id}/respond", data={"with_revision": "y"}).status_code == 302
    assert only(app, "objection_answered").data["revision"] == 2


def test_admission_to_a_working_group_is_recorded_for_the_resident(app, group):
    resident, person = browser(app)
    join = resident.post(f"/issues/{group.issue.id}/working-group/join", data={"motivation": "Ik woon erboven"})
    assert join.status_code == 302
    from app.agendas.models import WorkingGroupMember

    with app.app_context():
        member_id = db.session.scalar(sa.select(WorkingGroupMember.id).where(WorkingGroupMember.user_id == person.id))
    assert resident.post(f"/working-group/{member_id}/admit").status_code == 403
    assert recorded(app) == []
    assert group.director.post(f"/working-group/{member_id}/admit").status_code == 302
    assert group.director.post(f"/working-group/{member_id}/admit").status_code == 302  # twice: told once
    event = only(app, "working_group_admitted")
    assert (event.issue_id, event.actor_id, event.data) == (
        group.issue.id,
        group.director_person.id,
        {"user_id": person.id},
    )
    assert group.director.post(f"/working-group/{member_id}/reject").status_code == 302
    assert only(app, "working_group_rejected").data == {"user_id": person.id}


# --- memberships of organisations ----------------------------------------------------------------------


def membership_id(app, user_id):
    from app.accounts.models import Membership

    with app.app_context():
        return db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user_id))


def test_approving_and_rejecting_a_membership_is_recorded_once(app):
    partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    other = make_user(app, role="partner", org="Buurthuis De Kroon", status="pending")
    resident, _ = browser(app)
    assert resident.post(f"/admin/memberships/{membership_id(app, partner.id)}/decide", data={"decision": "approve"})
    assert recorded(app) == []
    director, person = browser(app, role="wijkregisseur")
    for _ in range(2):  # a double click tells the partner once
        response = director.post(
            f"/admin/memberships/{membership_id(app, partner.id)}/decide", data={"decision": "approve"}
        )
        assert response.status_code == 302
    event = only(app, "membership_approved")
    assert (event.membership_id, event.actor_id, event.data) == (
        membership_id(app, partner.id),
        person.id,
        {"organisation": "Halte 2717"},
    )
    director.post(f"/admin/memberships/{membership_id(app, other.id)}/decide", data={"decision": "reject"})
    event = only(app, "membership_rejected")
    assert (event.membership_id, event.data) == (membership_id(app, other.id), {"organisation": "Buurthuis De Kroon"})


# --- covenants --------------------------------------------------------------------------------------------


def _fingerprint(client, covenant_id):
    page = client.get(f"/covenants/{covenant_id}/sign").get_data(as_text=True)
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)


def sign(app, world, person, party):
    client = login(app, person)
    data = {
        "fingerprint": _fingerprint(client, world.covenant_id),
        "party": party,
        "password": PASSWORD,
        "full_name": person.display_name,
        "confirm": "y",
    }
    assert client.post(f"/covenants/{world.covenant_id}/sign", data=data).status_code == 302


def edit_text(app, world, extra="\nArtikel 9. De partijen spreken elkaar elk jaar.\n"):
    from app.covenants import services

    with app.app_context():
        covenant = services.get(world.covenant_id)
        document = services.TEXTS.document(covenant)["fields"]
        base, title, text = covenant.current_revision, document["title"], document["text"]
    client = login(app, world.drafter)
    data = {"base": str(base), "title": title, "text": text + extra, "message": "artikel 9"}
    assert client.post(f"/covenants/{world.covenant_id}/edit", data=data).status_code == 302


def council_decision(app, world, outcome, reference):

    client, _ = browser(app, role="council")
    data = {
        "process_id": str(world.process.id),
        "kind": "council_decision",
        "faction": "",
        "decided_on": local_today().isoformat(),
        "reference": reference,
        "title": "Besluit over het convenant",
        "summary": "",
        "outcome": outcome,
        "phase": "",
        "issues": "",
        "covenants": str(world.covenant_id),
    }
    assert client.post("/council/positions/new", data=data).status_code == 302


def test_opening_a_new_version_in_force_and_ending_are_recorded(app):
    from tests.covenant_helpers import make_covenant

    world = make_covenant(app)
    resident = login(app, world.resident)
    assert resident.post(f"/covenants/{world.covenant_id}/open").status_code == 403
    assert recorded(app) == []

    drafter = login(app, world.drafter)
    assert drafter.post(f"/covenants/{world.covenant_id}/open").status_code == 302
    opened = only(app, "covenant_opened")
    with app.app_context():
        from app.covenants import services

        first = services.version(services.get(world.covenant_id))
        first_hash, title = first.content_hash, first.title
    assert (opened.covenant_id, opened.actor_id, opened.process_id) == (
        world.covenant_id,
        world.drafter.id,
        world.process.id,
    )
    assert opened.data == {"version": 1, "title": title, "fingerprint": first_hash}

    sign(app, world, world.signatories[0], str(world.orgs[0].id))
    edit_text(app, world)  # a change after opening: everyone signs the next version
    new_version = only(app, "covenant_new_version")
    assert new_version.data["version"] == 2 and new_version.data["fingerprint"] != first_hash
    assert len(recorded(app, "covenant_opened")) == 1

    sign(app, world, world.signatories[0], str(world.orgs[0].id))
    sign(app, world, world.signatories[1], str(world.orgs[1].id))
    assert recorded(app, "covenant_in_force") == []  # the alderman has not signed yet
    sign(app, world, world.wethouder, "municipality")
    in_force = only(app, "covenant_in_force")
    assert (in_force.actor_id, in_force.data["version"]) == (world.wethouder.id, 2)

    signer = login(app, world.signatories[1])
    ended = signer.post(
        f"/covenants/{world.covenant_id}/end",
        data={"party": str(world.orgs[1].id), "reason": "Wij stoppen met het *buurtwerk* in deze wijk."},
    )
    assert ended.status_code == 302
    event = only(app, "covenant_ended")
    assert event.actor_id == world.signatories[1].id
    assert event.data == {
        "version": 2,
        "title": title,
        "party": "Welzijn Zoetermeer",
        "reason": "Wij stoppen met het *buurtwerk* in deze wijk.",  # shown as plain text on the page
    }
    assert kinds(app) == [
        "covenant_opened",
        "covenant_new_version",
        "covenant_in_force",
        "covenant_ended",
    ]


def test_a_refused_signature_or_end_records_nothing(app):
    from tests.covenant_helpers import make_covenant, open_covenant

    world = make_covenant(app)
    open_covenant(app, world)
    before = kinds(app)
    client = login(app, world.signatories[0])
    data = {
        "fingerprint": _fingerprint(client, world.covenant_id),
        "party": str(world.orgs[0].id),
        "password": "niet-mijn-wachtwoord",
        "full_name": world.signatories[0].display_name,
        "confirm": "y",
    }
    assert client.post(f"/covenants/{world.covenant_id}/sign", data=data).status_code == 400
    assert (
        client.post(
            f"/covenants/{world.covenant_id}/end", data={"party": str(world.orgs[0].id), "reason": "Wij stoppen ermee."}
        ).status_code
        == 403
    )  # not in force
    assert kinds(app) == before == ["covenant_opened"]


def test_the_council_pauses_signing_lets_it_go_on_and_a_change_sends_it_back_to_writing(app):
    from tests.covenant_helpers import make_covenant

    world = make_covenant(app, municipal_money=True)
    council_decision(app, world, "approved", "2026/101")
    assert recorded(app) == []  # not open yet: nothing paused or resumed
    drafter = login(app, world.drafter)
    assert drafter.post(f"/covenants/{world.covenant_id}/open").status_code == 302

    council_decision(app, world, "rejected", "2026/102")
    paused = only(app, "covenant_paused")
    assert paused.covenant_id == world.covenant_id
    assert (paused.data["version"], paused.data["reference"]) == (1, "2026/102")
    council_decision(app, world, "rejected", "2026/103")  # still paused: nothing new
    assert len(recorded(app, "covenant_paused")) == 1

    council_decision(app, world, "approved", "2026/104")
    resumed = only(app, "covenant_resumed")
    assert (resumed.data["version"], resumed.data["reference"]) == (1, "2026/104")

    edit_text(app, world)  # the approval was of the old text: back to being written
    back = only(app, "covenant_back_to_writing")
    assert (back.covenant_id, back.actor_id, back.data["version"]) == (world.covenant_id, world.drafter.id, 1)
    with app.app_context():
        from app.covenants import services

        assert services.get(world.covenant_id).status == "draft"
    assert recorded(app, "covenant_new_version") == []
    assert kinds(app) == ["covenant_opened", "covenant_paused", "covenant_resumed", "covenant_back_to_writing"]


def test_editing_a_council_decision_that_stops_approving_pauses_signing(app):
    from app.council.models import CouncilPosition
    from tests.covenant_helpers import make_covenant

    world = make_covenant(app, municipal_money=True)
    council_decision(app, world, "approved", "2026/105")
    login(app, world.drafter).post(f"/covenants/{world.covenant_id}/open")
    with app.app_context():
        position = db.session.scalar(sa.select(CouncilPosition))
        position_id, version, decided_on = position.id, position.version, position.decided_on
    clerk, _ = browser(app, role="council")
    data = {
        "process_id": str(world.process.id),
        "kind": "council_decision",
        "faction": "",
        "decided_on": decided_on.isoformat(),
        "reference": "2026/105",
        "title": "Besluit over het convenant",
        "summary": "",
        "outcome": "approved",
        "phase": "",
        "issues": "",
        "covenants": "",  # the decision turns out to be about something else
        "version": str(version),
    }
    assert clerk.post(f"/council/positions/{position_id}/edit", data=data).status_code == 302
    assert only(app, "covenant_paused").covenant_id == world.covenant_id
