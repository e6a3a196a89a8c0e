"""The work overview shows the first rows of each list; "And N more" is a link to where all of them are: the
whole list of residents waiting (/dashboard/waiting, a page at a time), the covenants, the chosen issues.
Zero counts of moderation are not shown as links to empty work."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user
from tests.dashboard_helpers import LONG_AGO, build_busy, href, section

WAITING = 12  # more than the overview's 10 rows


@pytest.fixture
def many_waiting(app):
    """Twelve residents' issues waiting too long in one process, "Wacht 0" the oldest; one in a second process."""
    process = make_process(app, slug="buytenwegh", name="Buytenwegh")
    other = make_process(app, slug="seghwaert", name="Seghwaert")
    resident = make_user(app, role="resident")
    start = utcnow() - LONG_AGO - timedelta(days=30)
    ids = [
        make_issue(app, process.id, resident.id, title=f"Wacht {n}", created_at=start + timedelta(hours=n)).id
        for n in range(WAITING)
    ]
    make_issue(app, other.id, resident.id, title="Elders wachtend", created_at=start + timedelta(days=1))
    return ids


def titles(html: str) -> list[str]:
    return re.findall(r'href="/issues/\d+">([^<]+)</a>', html)


def test_and_n_more_links_to_the_whole_list(app, client, auth, many_waiting):
    auth.login_as("wijkregisseur")
    waiting = section(client.get("/dashboard").get_data(as_text=True), "waiting")
    assert len(titles(waiting)) == 10
    assert href(waiting, "En nog 3: de hele lijst") == "/dashboard/waiting"
    waiting = section(client.get("/dashboard?process=buytenwegh").get_data(as_text=True), "waiting")
    assert href(waiting, "En nog 2: de hele lijst") == "/dashboard/waiting?process=buytenwegh"


def test_the_whole_list_pages_through_everyone_oldest_first(app, client, auth, many_waiting):
    app.config["DASHBOARD_PAGE_SIZE"] = 5
    auth.login_as("wijkregisseur")
    seen = []
    for number in (1, 2, 3):
        response = client.get(f"/dashboard/waiting?page={number}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "13 onderwerpen van bewoners wachten op antwoord" in html
        assert f"Pagina {number} van 3" in html
        assert f'start="{(number - 1) * 5 + 1}"' in html  # the numbering goes on from the page before
        seen += titles(html)
    assert seen == [f"Wacht {n}" for n in range(WAITING)] + ["Elders wachtend"]  # everyone once, oldest first
    assert 'href="/dashboard/waiting?page=2"' in client.get("/dashboard/waiting").get_data(as_text=True)
    # one process: its issues only, and the page links keep the process
    html = client.get("/dashboard/waiting?process=buytenwegh&page=2").get_data(as_text=True)
    assert "Elders wachtend" not in html and "12 onderwerpen van bewoners" in html
    assert 'href="/dashboard/waiting?page=3&amp;process=buytenwegh"' in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "²", "1.5", "99999999999999999999", "%00"])
def test_odd_page_values_are_refused_not_a_crash(app, client, auth, many_waiting, page):
    auth.login_as("wijkregisseur")
    assert client.get(f"/dashboard/waiting?page={page}").status_code == 400


def test_a_page_past_the_end_or_an_unknown_process_is_not_found(app, client, auth, many_waiting):
    auth.login_as("wijkregisseur")
    assert client.get("/dashboard/waiting?page=2").status_code == 404  # 13 rows: one page of 50
    assert client.get("/dashboard/waiting?page=100000").status_code == 404
    assert client.get("/dashboard/waiting?process=nergens").status_code == 404


def test_nobody_waiting_is_one_empty_page(app, client, auth):
    make_process(app)
    auth.login_as("wijkregisseur")
    response = client.get("/dashboard/waiting")
    assert response.status_code == 200 and "Niets te doen." in response.get_data(as_text=True)


def test_the_whole_list_is_for_those_with_an_overview(app, client, auth, many_waiting):
    assert "/login" in client.get("/dashboard/waiting").headers["Location"]
    for role in ("facilitator", "wethouder", "admin"):
        auth.login_as(role)
        assert client.get("/dashboard/waiting").status_code == 200, role
        auth.logout()
    for role, extra in (("resident", {}), ("partner", {"org": "Stichting Piëzo"}), ("council", {})):
        auth.login_as(role, **extra)
        assert client.get("/dashboard/waiting").status_code == 403, role
        auth.logout()


def test_the_other_lists_link_more_to_where_the_work_is_done(app, client, auth, monkeypatch):
    """Cut at one row, each list's "And N more" leads to the page of that work."""
    from app.dashboard import services

    real = services.gather
    monkeypatch.setattr(services, "gather", lambda *a, **k: real(*a, **{**k, "limit": 1}))
    busy = build_busy(app)
    resident = make_user(app, role="resident")
    chosen = make_issue(app, busy["process"].id, resident.id, title="Tweede keus", status="shortlisted")
    from app.agendas.models import WorkingGroupMember
    from app.extensions import db
    from tests.dashboard_helpers import objection

    with app.app_context():
        db.session.add(WorkingGroupMember(issue_id=chosen.id, user_id=resident.id))
        db.session.commit()
    objection(app, chosen.id, resident.id, horizon=10)
    auth.login_as("wijkregisseur")
    html = client.get("/dashboard?process=buytenwegh").get_data(as_text=True)
    chosen_issues = "/processes/buytenwegh/issues?status=shortlisted"
    assert href(section(html, "joins"), "En nog 1: de onderwerpen die gekozen zijn voor een agenda") == chosen_issues
    assert (
        href(section(html, "objections"), "En nog 1: de onderwerpen die gekozen zijn voor een agenda") == chosen_issues
    )
    # several processes on the overview: the processes, to choose one
    html = client.get("/dashboard").get_data(as_text=True)
    assert href(section(html, "joins"), "En nog 1: de processen") == "/processes"


def test_more_covenants_link_to_the_covenants(app, client, auth, monkeypatch):
    """The alderman's lists (to sign, for the council) link their rest to the covenants."""
    from app.dashboard import services

    monkeypatch.setattr(
        services,
        "covenant_work",
        lambda *a, **k: services.CovenantWork(services.Listing([], 3), services.Listing([], 2)),
    )
    make_process(app, slug="buytenwegh")
    auth.login_as("wethouder")
    html = client.get("/dashboard").get_data(as_text=True)
    assert href(section(html, "to-sign"), "En nog 2: alle convenanten") == "/covenants/"
    assert href(section(html, "council"), "En nog 3: alle convenanten") == "/covenants/"
    html = client.get("/dashboard?process=buytenwegh").get_data(as_text=True)
    assert href(section(html, "council"), "En nog 3: alle convenanten") == "/covenants/?process=buytenwegh"


def test_moderation_shows_only_what_waits(app, client, auth):
    """One reported contribution and nothing else: no "0 ... to check" links to empty work."""
    from tests.dashboard_helpers import report

    process = make_process(app)
    resident = make_user(app, role="resident")
    issue = make_issue(app, process.id, resident.id, title="Gemeld")
    report(app, "issue", issue.id, make_user(app, role="resident").id)
    auth.login_as("wijkregisseur")
    moderation = section(client.get("/dashboard").get_data(as_text=True), "moderation")
    assert href(moderation, "1 gemelde bijdrage") == "/moderation#reported-title"
    assert "0 " not in moderation and "controleren" not in moderation


def test_the_whole_list_costs_the_same_queries_for_few_and_many(app, client, auth):
    from tests.test_query_counts import counting

    process = make_process(app, slug="buytenwegh")
    resident = make_user(app, role="resident")
    old = utcnow() - LONG_AGO
    make_issue(app, process.id, resident.id, title="Eerste", created_at=old)
    auth.login_as("wijkregisseur")

    def queries() -> int:
        with counting(app) as statements:
            assert client.get("/dashboard/waiting").status_code == 200
        return len(statements)

    few = queries()
    for n in range(30):
        other = make_process(app, slug=f"wijk-{n}") if n % 10 == 0 else process
        make_issue(app, other.id, resident.id, title=f"Nog een {n}", created_at=old - timedelta(days=n))
    assert queries() == few
