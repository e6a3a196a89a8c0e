"""Consent rounds (agree, concerns, objections that must be answered), links between issues, the API."""

import sqlalchemy as sa

from app.agendas.models import Agenda, ConsentRound
from app.extensions import db
from tests.test_agendas import add_activity, browser_for, current, setup, texts

READY = {
    "summary": "Veilig winkelen",
    "review_moment": "Elk half jaar",
    "reviewers": "De werkgroep",
    "success": "Minder meldingen",
}


def agenda_state(app, issue):
    with app.app_context():
        agenda = db.session.scalar(sa.select(Agenda).where(Agenda.issue_id == issue.id, Agenda.horizon == 1))
        return agenda.status, agenda.agreed_revision, agenda.current_revision


def consent(browser, issue, action):
    return browser.post(f"/issues/{issue.id}/agendas/1/consent/{action}")


def answer(browser, issue, value, reason=""):
    return browser.post(f"/issues/{issue.id}/agendas/1/consent/answer", data={"answer": value, "reason": reason})


def test_a_round_needs_the_required_texts(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    texts(partner, issue, 0, summary="Alleen een samenvatting")
    consent(director, issue, "open")
    assert agenda_state(app, issue)[0] == "draft"
    texts(partner, issue, 1, **READY)
    consent(director, issue, "open")
    assert agenda_state(app, issue)[0] == "consent"


def test_an_objection_blocks_agreement_until_answered(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    objector, _ = browser_for(app, role="partner", org="De Goede Woning")
    texts(partner, issue, 0, **READY)
    consent(director, issue, "open")
    answer(partner, issue, "agree")
    too_short = answer(objector, issue, "object", "kort")
    assert too_short.status_code == 400 and b'id="reason-error"' in too_short.data  # next to the field
    with app.app_context():
        from app.agendas.models import ConsentAnswer

        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentAnswer)) == 1
    answer(objector, issue, "object", "De kosten voor verlichting ontbreken nog.")
    consent(director, issue, "close")
    assert agenda_state(app, issue)[0] == "consent"  # not agreed while the objection is open
    with app.app_context():
        from app.agendas.models import ConsentAnswer

        objection_id = db.session.scalar(sa.select(ConsentAnswer.id).where(ConsentAnswer.answer == "object"))
    # answered with a new revision
    add_activity(partner, issue, 1, title="Verlichting", euros="25000")
    assert partner.post(f"/consent-answers/{objection_id}/respond", data={"with_revision": "y"}).status_code == 302
    consent(director, issue, "close")
    assert agenda_state(app, issue)[0] == "consent"  # the agreement was given on revision 1, the text changed
    answer(partner, issue, "agree")
    consent(director, issue, "close")
    status, agreed, number = agenda_state(app, issue)
    assert status == "agreed" and agreed == number == 2


def test_an_objection_can_be_answered_with_a_reply(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    texts(partner, issue, 0, **READY)
    consent(director, issue, "open")
    answer(partner, issue, "object", "Wie betaalt de schouw eigenlijk?")
    with app.app_context():
        from app.agendas.models import ConsentAnswer

        objection_id = db.session.scalar(sa.select(ConsentAnswer.id))
    director.post(f"/consent-answers/{objection_id}/respond", data={"response": "De gemeente, uit het wijkbudget."})
    consent(director, issue, "close")
    assert agenda_state(app, issue)[0] == "consent"  # answered, but nobody agreed yet
    other, _ = browser_for(app, role="facilitator")
    answer(other, issue, "agree")
    consent(director, issue, "close")
    assert agenda_state(app, issue)[:2] == ("agreed", 1)


def test_changing_an_agreed_agenda_needs_a_new_round(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    texts(partner, issue, 0, **READY)
    consent(director, issue, "open")
    answer(partner, issue, "concerns", "Goed, maar let op de winkeliers.")
    consent(director, issue, "close")
    assert agenda_state(app, issue)[:2] == ("agreed", 1)
    texts(partner, issue, 1, **{**READY, "summary": "Veilig en schoon winkelen"})
    status, agreed, number = agenda_state(app, issue)
    assert (status, agreed, number) == ("draft", 1, 2)  # fixed at revision 1 until a new round agrees
    page = partner.get(f"/issues/{issue.id}/agendas/1").get_data(as_text=True)
    assert "Open a consent round" not in page  # only the neighbourhood director opens one


def test_a_round_without_answers_cannot_close_and_others_cannot_manage(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    texts(partner, issue, 0, **READY)
    assert consent(partner, issue, "open").status_code == 403
    consent(director, issue, "open")
    consent(director, issue, "close")
    assert agenda_state(app, issue)[0] == "consent"
    resident, _ = browser_for(app, role="resident")
    assert answer(resident, issue, "agree").status_code == 403  # not a member
    assert consent(partner, issue, "cancel").status_code == 403
    consent(director, issue, "cancel")
    assert agenda_state(app, issue)[0] == "draft"
    with app.app_context():
        assert db.session.scalar(sa.select(ConsentRound.open)) is False


def test_links_show_on_both_sides_and_on_the_process_page(app):
    from tests.conftest import make_issue, make_user

    process, issue = setup(app)
    other = make_issue(app, process.id, make_user(app).id, title="Jongeren en werk", status="shortlisted")
    partner, _ = browser_for(app)
    add_activity(partner, issue, 0, title="Winkelstraat-coaches")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    response = partner.post(
        f"/issues/{issue.id}/links",
        data={
            "link-from_activity": activity_id,
            "link-target": f"{other.id}:",
            "link-kind": "reinforces",
            "link-note": "Jongeren kunnen coach worden in de winkelstraat.",
            "horizon": "1",
        },
    )
    assert response.status_code == 302
    mine = partner.get(f"/issues/{issue.id}/agendas/1").get_data(as_text=True)
    theirs = partner.get(f"/issues/{other.id}/agendas/1").get_data(as_text=True)
    overview = partner.get(f"/processes/{process.slug}/links").get_data(as_text=True)
    for page in (mine, theirs, overview):
        assert "Jongeren kunnen coach worden" in page
    resident, _ = browser_for(app, role="resident")
    refused = resident.post(
        f"/issues/{issue.id}/links",
        data={"link-target": f"{other.id}:", "link-kind": "depends", "link-note": "Mag niet"},
    )
    assert refused.status_code == 403
    bad = partner.post(
        f"/issues/{issue.id}/links",
        data={"link-target": "999:", "link-kind": "depends", "link-note": "Onbekend onderwerp"},
    )
    assert bad.status_code == 400 and b'id="link-target-error"' in bad.data
    with app.app_context():
        from app.agendas.models import IssueLink

        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssueLink)) == 1


def test_the_api_carries_the_agendas(app, client):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    texts(partner, issue, 0, **READY)
    add_activity(
        partner,
        issue,
        1,
        title="Schouw",
        responsible="municipality",
        euros="1000",
        from_q="2027-Q1",
        to_q="2027-Q2",
        indicator="Rapport",
    )
    data = client.get(f"/api/v1/issues/{issue.id}").get_json()
    (agenda,) = data["agendas"]
    assert (agenda["horizon"], agenda["status"], agenda["revision"]) == (1, "draft", 2)
    (activity,) = agenda["activities"]
    assert activity["responsible"] == "municipality" and activity["resources"]["euros"] == 1000
    assert activity["period"] == {"from": "2027-Q1", "to": "2027-Q2"} and activity["status"] == "proposed"
    assert "@" not in str(data)


def test_agreement_counts_only_answers_on_the_latest_revision_and_not_the_chair(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    texts(partner, issue, 0, **READY)
    consent(director, issue, "open")
    answer(partner, issue, "agree")
    texts(partner, issue, 1, **{**READY, "summary": "Een andere tekst dan waarmee men instemde"})
    consent(director, issue, "close")
    assert agenda_state(app, issue)[0] == "consent"  # the agreement was about revision 1
    answer(director, issue, "agree")
    consent(director, issue, "close")
    assert agenda_state(app, issue)[0] == "consent"  # the chair alone does not make an agreement
    answer(partner, issue, "agree")
    consent(director, issue, "close")
    assert agenda_state(app, issue)[:2] == ("agreed", 2)


def test_links_only_to_chosen_issues_and_activity_names_on_both_sides(app):
    from tests.conftest import make_issue, make_user

    process, issue = setup(app)
    other = make_issue(app, process.id, make_user(app).id, title="Groen plein", status="shortlisted")
    not_chosen = make_issue(app, process.id, make_user(app).id, title="Niet gekozen onderwerp")
    partner, _ = browser_for(app)
    add_activity(partner, issue, 0, title="Bankjes plaatsen")
    add_activity(partner, other, 0, title="Bomen planten")
    mine = current(app, issue)[1]["items"][0]["id"]
    theirs = current(app, other)[1]["items"][0]["id"]
    refused = partner.post(
        f"/issues/{issue.id}/links",
        data={"link-target": f"{not_chosen.id}:", "link-kind": "depends", "link-note": "Niet gekozen"},
    )
    assert refused.status_code == 400
    partner.post(
        f"/issues/{issue.id}/links",
        data={
            "link-from_activity": mine,
            "link-target": f"{other.id}:{theirs}",
            "link-kind": "reinforces",
            "link-note": "Samen een groen plein",
        },
    )
    for page in (partner.get(f"/issues/{other.id}/agendas/1"), partner.get(f"/processes/{process.slug}/links")):
        html = page.get_data(as_text=True)
        assert "Bankjes plaatsen" in html and "Bomen planten" in html
