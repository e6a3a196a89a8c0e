"""The work overview (/dashboard): what waits, with counts that match the data and links to the work."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_process
from tests.dashboard_helpers import build_busy, href, section


@pytest.fixture
def busy(app):
    return build_busy(app)


def test_each_count_matches_the_data_and_links_to_the_work(app, client, auth, busy):
    auth.login_as("wijkregisseur")
    html = client.get("/dashboard").get_data(as_text=True)

    moderation = section(html, "moderation")
    assert href(moderation, "2 gemelde bijdragen") == "/moderation#reported-title"
    assert href(moderation, "2 bijdragen van nieuwe accounts om te controleren") == "/moderation#pending-title"
    assert href(moderation, "1 wijziging van een gecontroleerde bijdrage om te controleren") == "/moderation#changes"

    members = section(html, "memberships")
    assert href(members, "2 verzoeken om een organisatie te vertegenwoordigen") == "/admin/memberships?status=pending"

    joins = section(html, "joins")
    assert "2 bewoners willen meedoen in een werkgroep" in joins
    assert href(joins, "Groen plein") == f"/issues/{busy['chosen'].id}/working-group"
    assert "2 verzoeken, het eerste sinds" in joins
    assert "Verborgen klacht" not in joins and "En nog" not in joins  # the hidden issue's request is left out

    waiting = section(html, "waiting")
    assert "3 onderwerpen van bewoners wachten op antwoord" in waiting  # two here, one in the other process
    titles = re.findall(r'href="/issues/\d+">([^<]+)</a>', waiting)
    assert titles == ["Kapotte speeltuin", "Donker fietspad", "Elders wachtend"]  # oldest first
    assert href(waiting, "Kapotte speeltuin") == f"/issues/{busy['oldest'].id}"
    assert re.search(r"wacht \d+ werkdagen", waiting)

    objections = section(html, "objections")
    assert "1 bezwaar in een instemmingsronde wacht op antwoord" in objections
    assert href(objections, "Groen plein: agenda voor 1 jaar") == f"/issues/{busy['chosen'].id}/agendas/1#consent"
    assert "agenda voor 5 jaar" not in objections and "Verborgen klacht" not in objections

    phases = section(html, "phases")
    assert "Hierna: Fase 4: Convenanten ondertekenen, gepland vanaf 1 maart 2030." in phases
    assert "Er is nog geen datum gepland" in phases  # Seghwaert: the interim stop has no date
    assert (
        href(phases, 'Fase veranderen<span class="visually-hidden">: Buytenwegh</span>')
        == "/processes/buytenwegh/phase"
    )

    council = section(html, "council")
    assert "Niets te doen" in council


def test_the_links_lead_to_pages_that_show_the_same_work(app, client, auth, busy):
    auth.login_as("wijkregisseur")
    queue = client.get("/moderation").get_data(as_text=True)
    assert "2 gemelde bijdragen" in queue and "2 bijdragen van nieuwe accounts om te controleren" in queue
    assert 'id="reported-title"' in queue and 'id="pending-title"' in queue and 'id="changes"' in queue
    members = client.get("/admin/memberships?status=pending").get_data(as_text=True)
    assert members.count("Halte 2717") >= 1 and "Buurtkracht" in members and "Onbevestigd" not in members


def test_one_process_at_a_time(app, client, auth, busy):
    auth.login_as("admin")
    html = client.get("/dashboard?process=seghwaert").get_data(as_text=True)
    assert "Werkoverzicht: Seghwaert" in html
    waiting = section(html, "waiting")
    assert "1 onderwerp van een bewoner wacht op antwoord" in waiting and "Elders wachtend" in waiting
    assert "Niets te doen" in section(html, "moderation")
    assert "Niets te doen" in section(html, "objections")
    assert "Buytenwegh" not in section(html, "phases")
    here = client.get("/dashboard?process=buytenwegh").get_data(as_text=True)
    assert "2 gemelde bijdragen" in section(here, "moderation")
    assert "Elders wachtend" not in section(here, "waiting")
    assert 'aria-current="page">Buytenwegh' in here


@pytest.mark.parametrize("slug", ["bestaat-niet", "x" * 500, "%E2%80%AE"])
def test_an_unknown_process_is_not_found(app, client, auth, slug):
    make_process(app, slug="buytenwegh")
    auth.login_as("wijkregisseur")
    assert client.get(f"/dashboard?process={slug}").status_code == 404


def test_an_unpublished_process_is_not_offered(app, client, auth):
    make_process(app, slug="buytenwegh", name="Buytenwegh")
    make_process(app, slug="in-voorbereiding", name="Meerzicht", published=False)
    auth.login_as("wijkregisseur")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Meerzicht" not in section(html, "phases")
    assert client.get("/dashboard?process=in-voorbereiding").status_code == 404


def test_hidden_issues_are_never_among_the_waiting(app, client, auth, busy):
    auth.login_as("wethouder")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Verborgen klacht" not in html and f"/issues/{busy['hidden'].id}" not in html
    assert "3 onderwerpen van bewoners wachten op antwoord" in section(html, "waiting")


def test_nothing_to_do(app, client, auth):
    make_process(app, slug="rustig", name="Rustig")
    auth.login_as("wijkregisseur")
    html = client.get("/dashboard").get_data(as_text=True)
    for name in ("moderation", "memberships", "joins", "waiting", "objections", "council"):
        assert "Niets te doen." in section(html, name), name
    assert "Hierna: Tussenstop. Er is nog geen datum gepland." in section(html, "phases")


def test_residents_partners_and_the_council_have_no_overview(app, client, auth):
    for role, extra in (("resident", {}), ("partner", {"org": "Stichting Piëzo"}), ("council", {})):
        auth.login_as(role, **extra)
        assert client.get("/dashboard").status_code == 403, role
        assert 'href="/dashboard"' not in client.get("/").get_data(as_text=True)
        assert "Wat wacht op u" not in client.get("/").get_data(as_text=True)
        auth.logout()


def test_signed_out_visitors_are_sent_to_log_in(app, client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    home = client.get("/")
    assert home.status_code == 200 and "Wat wacht op u" not in home.get_data(as_text=True)
    assert 'href="/register"' in home.get_data(as_text=True)  # the visitor's home page as it was


def test_the_header_links_the_overview_for_those_who_have_one(app, client, auth):
    for role in ("wijkregisseur", "facilitator", "wethouder", "admin"):
        auth.login_as(role)
        assert '<a class="utrecht-link" href="/dashboard">Werkoverzicht</a>' in client.get("/processes").get_data(
            as_text=True
        ), role
        auth.logout()


def test_the_overview_in_english(app, client, auth, busy):
    auth.login_as("wijkregisseur")
    client.post("/language", data={"lang": "en"})
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<h1 class="utrecht-heading-1">Work overview</h1>' in html
    assert href(section(html, "moderation"), "2 reported contributions") == "/moderation#reported-title"
    assert "3 issues by residents wait for an answer" in section(html, "waiting")
    assert "Next: Phase 4: Signing covenants, planned from 1 March 2030." in section(html, "phases")
    assert "What is waiting for you" in client.get("/").get_data(as_text=True)
