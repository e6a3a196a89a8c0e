"""Mijn pagina: working groups, covenants waiting for my signature, my notifications and my mail choices."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import make_issue, make_process, make_user
from tests.covenant_helpers import make_covenant, open_covenant, sign_as


def _login(client, user):
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302


def _section(client, heading_id: str) -> str:
    html = client.get("/mijn").get_data(as_text=True)
    match = re.search(rf'<section class="mine-section" aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return match.group(1)


# --- working groups -------------------------------------------------------------------------------


def test_a_resident_sees_the_working_groups_they_asked_to_join(app, client):
    from app.agendas.models import WorkingGroupMember

    process = make_process(app, phase="agendas")
    me, other = make_user(app), make_user(app)
    admitted = make_issue(app, process.id, other.id, title="Groen in de wijk", status="shortlisted")
    waiting = make_issue(app, process.id, other.id, title="Veilig naar school", status="shortlisted")
    theirs = make_issue(app, process.id, other.id, title="Alleen de ander doet mee", status="shortlisted")
    with app.app_context():
        db.session.add_all(
            [
                WorkingGroupMember(issue_id=admitted.id, user_id=me.id, status="admitted"),
                WorkingGroupMember(issue_id=waiting.id, user_id=me.id, status="pending"),
                WorkingGroupMember(issue_id=theirs.id, user_id=other.id, status="admitted"),
            ]
        )
        db.session.commit()
    _login(client, me)
    section = _section(client, "working-groups")
    assert "Groen in de wijk" in section and "Veilig naar school" in section
    assert "Alleen de ander doet mee" not in section
    assert "lid" in section and "wacht op toelating" in section
    assert f'href="/issues/{admitted.id}/agendas/1"' in section  # the agenda links of a group I am in
    assert f'href="/issues/{waiting.id}/agendas/1"' not in section


def test_partners_see_the_groups_their_role_gives_them(app, client):
    process = make_process(app, phase="agendas")
    resident = make_user(app)
    partner = make_user(app, role="partner", org="Stichting Buurtwerk")
    waiting = make_user(app, role="partner", org="Nog Niet Bevestigd", status="pending")
    make_issue(app, process.id, resident.id, title="Gekozen onderwerp", status="shortlisted")
    make_issue(app, process.id, resident.id, title="Nog open onderwerp")
    _login(client, partner)
    section = _section(client, "working-groups")
    assert "Door uw rol hoort u bij de werkgroep" in section
    assert "Gekozen onderwerp" in section and "Nog open onderwerp" not in section
    client.post("/logout")
    _login(client, waiting)
    section = _section(client, "working-groups")
    assert "Als uw organisatie bevestigt dat u lid bent" in section and "Gekozen onderwerp" not in section


def test_a_hidden_issue_never_shows_as_a_working_group(app, client):
    from app.agendas.models import WorkingGroupMember
    from app.issues.models import Issue

    process = make_process(app, phase="agendas")
    me, other = make_user(app), make_user(app)
    issue = make_issue(app, process.id, other.id, title="GEHEIM verborgen groep", status="shortlisted")
    with app.app_context():
        db.session.add(WorkingGroupMember(issue_id=issue.id, user_id=me.id, status="admitted"))
        db.session.get(Issue, issue.id).visibility = "hidden"
        db.session.commit()
    _login(client, me)
    assert "GEHEIM" not in client.get("/mijn").get_data(as_text=True)


# --- covenants ---------------------------------------------------------------------------------------


def test_covenants_waiting_for_my_signature_and_not_once_my_party_signed(app, client):
    world = make_covenant(app)
    open_covenant(app, world)
    first, second = world.signatories
    _login(client, first)
    section = _section(client, "to-sign")
    assert "Veilig fietspad" in section and "Woningcorporatie De Veste" in section
    assert f'href="/covenants/{world.covenant_id}/sign"' in section
    sign_as(app, world, first, str(world.orgs[0].id))
    section = _section(client, "to-sign")
    assert "Veilig fietspad" not in section and "Er wacht geen convenant op uw handtekening" in section
    client.post("/logout")
    _login(client, second)
    assert "Welzijn Zoetermeer" in _section(client, "to-sign")


def test_outside_the_signing_phase_the_covenant_shows_why_it_cannot_be_signed_yet(app, client):
    from app.processes.models import Process

    world = make_covenant(app)
    open_covenant(app, world)
    with app.app_context():
        db.session.get(Process, world.process.id).current_phase = "agendas"
        db.session.commit()
    _login(client, world.wethouder)
    section = _section(client, "to-sign")
    assert "Veilig fietspad" in section
    assert f'href="/covenants/{world.covenant_id}/sign"' not in section  # no button that would refuse


def test_people_who_never_sign_have_no_covenant_section(app, client):
    world = make_covenant(app)
    open_covenant(app, world)
    for person in (world.resident, world.partner):
        _login(client, person)
        html = client.get("/mijn").get_data(as_text=True)
        assert 'id="to-sign"' not in html and f'href="/covenants/{world.covenant_id}/sign"' not in html
        client.post("/logout")


# --- notifications and mail choices -----------------------------------------------------------------


def _notify(app, user_id, issue_id, process_id, rationale, read=False):
    from app.models_common import utcnow
    from app.notifications.models import Event, Notification

    with app.app_context():
        event = Event(kind="issue_shortlisted", issue_id=issue_id, process_id=process_id, data={"rationale": rationale})
        db.session.add(event)
        db.session.flush()
        db.session.add(
            Notification(user_id=user_id, event_id=event.id, topic="issue_status", read_at=utcnow() if read else None)
        )
        db.session.commit()


def test_my_latest_notifications_with_the_unread_count_and_never_about_hidden_things(app, client):
    from app.issues.models import Issue

    process = make_process(app)
    me, other = make_user(app), make_user(app)
    mine = make_issue(app, process.id, me.id, title="Bankjes bij de vijver")
    hidden = make_issue(app, process.id, other.id, title="GEHEIM onderwerp")
    _notify(app, me.id, mine.id, process.id, "Veel steun uit de buurt")
    _notify(app, me.id, mine.id, process.id, "Eerder bericht", read=True)
    _notify(app, me.id, hidden.id, process.id, "GEHEIME reden")
    _notify(app, other.id, mine.id, process.id, "Bericht voor een ander")
    with app.app_context():
        db.session.get(Issue, hidden.id).visibility = "hidden"
        db.session.commit()
    _login(client, me)
    section = _section(client, "notifications")
    assert "Bankjes bij de vijver" in section and "Veel steun uit de buurt" in section
    assert "1 nieuw" in section  # the hidden one is not counted either
    assert "GEHEIM" not in section and "Bericht voor een ander" not in section
    assert 'href="/notifications"' in section


def test_an_empty_notification_list_says_how_to_get_them(app, client):
    _login(client, make_user(app))
    assert "U heeft nog geen meldingen" in _section(client, "notifications")


def test_my_mail_choices_are_summarised_per_topic(app, client):
    from app.notifications.models import NotificationPreference

    me = make_user(app)
    with app.app_context():
        db.session.add(NotificationPreference(user_id=me.id, topic="reactions", delivery="weekly"))
        db.session.commit()
    _login(client, me)
    section = _section(client, "mail")
    assert "Reacties en antwoorden" in section or "Reactions and replies" in section
    items = re.findall(r'<li class="mine-line">(.*?)</li>', section, re.S)
    assert len(items) == 5  # a resident chooses five topics; the moderators' ones are not theirs
    assert 'href="/notifications/preferences"' in section
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 1
