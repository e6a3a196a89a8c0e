"""The facilitator's and the alderman's short work overview, the home page's block, and a bounded number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models_common import utcnow
from app.workdays import today as local_today
from tests.conftest import make_issue, make_process, make_user
from tests.covenant_helpers import make_covenant, open_covenant, sign_as
from tests.dashboard_helpers import LONG_AGO, build_busy, comment, href, objection, report, section
from tests.test_query_counts import counting

SHORT = {
    "facilitator": {"objections", "phases", "waiting", "exports"},
    "wethouder": {"to-sign", "council", "waiting", "phases"},
}
ALL = {"moderation", "memberships", "joins", "waiting", "objections", "council", "phases", "to-sign", "exports"}


@pytest.fixture
def busy(app):
    return build_busy(app)


def sections_of(html: str) -> set[str]:
    return set(re.findall(r'<section id="([a-z-]+)"', html)) & ALL


def council_decision(app, world, outcome="approved"):
    from app.accounts.models import User
    from app.council import services as council

    clerk = make_user(app, role="council")
    with app.app_context():
        council.record_position(
            db.session.get(User, clerk.id),
            council.PositionData(
                process_id=world.process.id,
                kind="council_decision",
                decided_on=local_today(),
                reference=f"2026/{world.covenant_id:03d}",
                title="Besluit over het convenant",
                outcome=outcome,
                covenant_ids=[world.covenant_id],
            ),
        )
        db.session.commit()


def covenants(app):
    """Four covenants in four processes in phase 4: waiting for the council (being written), open for the
    municipality's signature after the council's approval, paused by a later rejection, and signed by the
    municipality already."""
    unapproved = make_covenant(app, municipal_money=True, title="Nieuwe speeltuin")
    to_sign = make_covenant(app, municipal_money=True, title="Schoon winkelplein")
    council_decision(app, to_sign)
    open_covenant(app, to_sign)
    paused = make_covenant(app, municipal_money=True, title="Veilige oversteek")
    council_decision(app, paused)
    open_covenant(app, paused)
    council_decision(app, paused, outcome="rejected")
    signed = make_covenant(app, title="Groene gevels")
    open_covenant(app, signed)
    sign_as(app, signed, signed.wethouder, "municipality")
    return unapproved, to_sign, paused, signed


def test_the_facilitator_gets_the_part_about_meetings_and_the_congress(app, client, auth, busy):
    auth.login_as("facilitator")
    html = client.get("/dashboard").get_data(as_text=True)
    assert sections_of(html) == SHORT["facilitator"]
    assert "Wat er wacht voor de bijeenkomsten en het stadscongres" in html
    objections = section(html, "objections")
    assert href(objections, "Groen plein: agenda voor 1 jaar") == f"/issues/{busy['chosen'].id}/agendas/1#consent"
    assert "3 onderwerpen van bewoners wachten op antwoord" in section(html, "waiting")
    assert "gepland vanaf 1 maart 2030" in section(html, "phases")
    assert href(section(html, "exports"), "Maak het materiaal voor het congres") == "/exports"
    # nothing of moderation or members, and the phase links are the process pages (only moderators change phases)
    assert "/moderation#" not in html and "/admin/memberships" not in html
    assert href(section(html, "phases"), 'Het proces en de fases<span class="visually-hidden">: Buytenwegh</span>')


def test_the_alderman_gets_signing_and_the_council(app, client, auth):
    unapproved, to_sign, paused, signed = covenants(app)
    resident = make_user(app, role="resident")
    make_issue(app, unapproved.process.id, resident.id, title="Wacht al lang", created_at=utcnow() - LONG_AGO)
    auth.login(to_sign.wethouder.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert sections_of(html) == SHORT["wethouder"]

    mine = section(html, "to-sign")
    assert "1 convenant wacht op uw handtekening" in mine
    assert f'href="/covenants/{to_sign.covenant_id}/sign"' in mine
    for other in (unapproved, paused, signed):
        assert f"/covenants/{other.covenant_id}/" not in mine

    council = section(html, "council")
    assert "2 convenanten wachten op de gemeenteraad" in council
    assert href(council, "Nieuwe speeltuin") == f"/covenants/{unapproved.covenant_id}"
    assert href(council, "Veilige oversteek") == f"/covenants/{paused.covenant_id}"
    assert "ondertekenen staat stil" in council  # the paused one
    assert "Schoon winkelplein" not in council and "Groene gevels" not in council

    assert "1 onderwerp van een bewoner wacht op antwoord" in section(html, "waiting")
    assert "Dit is de laatste fase." in section(html, "phases")


def test_the_alderman_signs_only_in_phase_4(app, client, auth):
    world = make_covenant(app, title="Schoon winkelplein")
    open_covenant(app, world)
    from app.processes.models import Process

    with app.app_context():
        db.session.get(Process, world.process.id).current_phase = "agendas"
        db.session.commit()
    auth.login(world.wethouder.email)
    assert "Niets te doen." in section(client.get("/dashboard").get_data(as_text=True), "to-sign")


def test_the_home_page_says_what_waits(app, client, auth, busy):
    auth.login_as("wijkregisseur")
    html = client.get("/").get_data(as_text=True)
    block = re.search(r'<section class="work-box".*?</section>', html, re.S).group(0)
    assert "Wat wacht op u" in block
    assert href(block, "2 gemelde bijdragen") == "/moderation#reported-title"
    assert href(block, "2 verzoeken om een organisatie te vertegenwoordigen") == "/admin/memberships?status=pending"
    assert href(block, "3 onderwerpen van bewoners wachten op antwoord") == "/dashboard#waiting"
    assert href(block, "1 bezwaar in een instemmingsronde wacht op antwoord") == "/dashboard#objections"
    assert href(block, "2 bewoners willen meedoen in een werkgroep") == "/dashboard#joins"
    assert href(block, "Naar het werkoverzicht") == "/dashboard"
    assert "Verborgen klacht" not in html
    assert "Buytenwegh" in html  # the list of neighbourhoods stays
    auth.logout()

    auth.login_as("facilitator")
    block = re.search(r'<section class="work-box".*?</section>', client.get("/").get_data(as_text=True), re.S).group(0)
    assert "1 bezwaar in een instemmingsronde" in block and "3 onderwerpen van bewoners" in block
    assert "gemelde bijdragen" not in block and "vertegenwoordigen" not in block


def test_the_home_page_block_for_the_alderman_and_when_nothing_waits(app, client, auth):
    make_process(app, slug="rustig", name="Rustig")
    auth.login_as("wethouder")
    html = client.get("/").get_data(as_text=True)
    block = re.search(r'<section class="work-box".*?</section>', html, re.S).group(0)
    assert "Niets te doen." in block and 'href="/dashboard"' in block
    auth.logout()

    world = make_covenant(app, title="Schoon winkelplein")
    open_covenant(app, world)
    auth.login(world.wethouder.email)
    block = re.search(r'<section class="work-box".*?</section>', client.get("/").get_data(as_text=True), re.S).group(0)
    assert href(block, "1 convenant wacht op uw handtekening") == "/dashboard#to-sign"


def _queries(app, client, url):
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_work(app, busy):
    """Counted for the whole overview, the short versions and the home page, with little and with much waiting."""
    covenants(app)
    director, facilitator = make_user(app, role="wijkregisseur"), make_user(app, role="facilitator")
    wethouder = make_user(app, role="wethouder")
    clients = {}
    for person in (director, facilitator, wethouder):
        clients[person.role] = app.test_client()
        clients[person.role].post("/login", data={"email": person.email, "password": person.password})
    urls = ["/dashboard", "/dashboard?process=buytenwegh", "/"]
    few = {(role, url): _queries(app, c, url) for role, c in clients.items() for url in urls}

    from app.agendas.models import WorkingGroupMember

    process_id = busy["process"].id
    people = [make_user(app, role="resident") for _ in range(4)]
    for i in range(12):
        issue = make_issue(
            app,
            process_id,
            people[i % 4].id,
            title=f"Nog een onderwerp {i}",
            created_at=utcnow() - LONG_AGO - timedelta(days=i),
            status="shortlisted",
        )
        report(app, "issue", issue.id, people[(i + 1) % 4].id)
        report(app, "comment", comment(app, issue.id, people[(i + 2) % 4].id), people[(i + 3) % 4].id)
        objection(app, issue.id, people[i % 4].id, horizon=1 + 4 * (i % 2))
        with app.app_context():
            db.session.add(WorkingGroupMember(issue_id=issue.id, user_id=people[(i + 1) % 4].id))
            db.session.commit()
    covenants(app)
    many = {(role, url): _queries(app, c, url) for role, c in clients.items() for url in urls}
    assert many == few
    assert max(few.values()) <= 30, few
