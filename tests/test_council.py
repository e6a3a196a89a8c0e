"""The council domain: recording positions, showing them on the council, issue and agenda pages and in
the API, the checkpoints, and refusing everyone but the council role."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.council import decisions, services
from app.council.models import CouncilPosition
from app.extensions import db
from app.workdays import today as local_today
from tests.conftest import make_issue, make_process, make_user, page_text

INTERIM = {"interim": (date(2027, 2, 1), date(2027, 2, 28))}


@pytest.fixture
def setting(app):
    """A process in phase 2 with a planned interim stop, two issues in it and one in another process."""
    process = make_process(app, slug="buytenwegh", phase="issues", dates=INTERIM, name="Wijk van de toekomst Test")
    other = make_process(app, slug="elders", name="Ander proces")
    author = make_user(app)
    chosen = make_issue(app, process.id, author.id, title="Veilig winkelgebied", status="shortlisted")
    second = make_issue(app, process.id, author.id, title="Meer groen in de wijk")
    elsewhere = make_issue(app, other.id, author.id, title="Elders")
    return type(
        "Setting", (), {"process": process, "other": other, "chosen": chosen, "second": second, "elsewhere": elsewhere}
    )


def form(setting, **changes):
    data = {
        "process_id": str(setting.process.id),
        "kind": "motion",
        "faction": "",
        "decided_on": "2026-03-12",
        "reference": "M2026-017",
        "title": "Motie veilig winkelgebied",
        "summary": "De raad vraagt het college om **meer licht** bij de winkels.",
        "outcome": "approved",
        "phase": "",
        "issues": f"{setting.chosen.id}, #{setting.second.id}",
    }
    data.update(changes)
    return data


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CouncilPosition))


def record(app, setting, **changes) -> int:
    """A position straight through the service (what the form does), committed."""
    values = {
        "process_id": setting.process.id,
        "kind": "council_decision",
        "decided_on": date(2026, 3, 19),
        "reference": "2026/028",
        "title": "Raadsbesluit pilot",
        "outcome": "approved",
        "issue_ids": [setting.chosen.id],
    }
    values.update(changes)
    with app.app_context():
        position = services.record_position(None, services.PositionData(**values))
        db.session.commit()
        return position.id


# --- recording and showing ----------------------------------------------------------------


def test_council_member_records_a_position_that_shows_everywhere(app, client, auth, setting):
    auth.login_as("council", email="griffie@example.org")
    page = client.get("/council/positions/new?process=buytenwegh")
    assert page.status_code == 200
    assert "Standpunt of besluit van de raad vastleggen" in page_text(page)
    assert f'<option selected value="{setting.process.id}">' in page_text(page)

    response = client.post("/council/positions/new", data=form(setting))
    assert response.status_code == 302
    with app.app_context():
        position = db.session.scalar(sa.select(CouncilPosition))
        assert (position.kind, position.reference, position.outcome) == ("motion", "M2026-017", "approved")
        assert position.decided_on == date(2026, 3, 12) and position.faction == "" and position.phase is None
        assert position.issue_ids == sorted([setting.chosen.id, setting.second.id])
        assert position.recorded_by.email == "griffie@example.org"
        position_id = position.id
    assert response.headers["Location"] == f"/council/positions/{position_id}"

    council = page_text(client.get("/council"))
    for expected in (
        "Motie veilig winkelgebied",
        "motie",
        "12 maart 2026",
        "M2026-017",
        "aangenomen",
        "<strong>meer licht</strong>",
        f'href="/issues/{setting.chosen.id}"',
        "Veilig winkelgebied",
    ):
        assert expected in council, expected
    assert f'href="/council/positions/{position_id}/edit"' in council  # the council sees an edit link

    for url in (
        f"/issues/{setting.chosen.id}",
        f"/issues/{setting.chosen.id}/agendas/1",
        f"/issues/{setting.second.id}",
    ):
        html = page_text(client.get(url))
        assert "Standpunt van de gemeenteraad" in html, url
        assert "Motie veilig winkelgebied" in html and "M2026-017" in html and "aangenomen" in html, url

    item = client.get("/api/v1/council/positions").get_json()["items"][0]
    assert item["id"] == position_id and item["issues"] == sorted([setting.chosen.id, setting.second.id])


def test_pages_without_positions_show_no_council_section(app, client, setting):
    assert "Standpunt van de gemeenteraad" not in page_text(client.get(f"/issues/{setting.chosen.id}"))
    assert "Er zijn nog geen standpunten of besluiten vastgelegd." in page_text(client.get("/council"))


def test_a_position_on_another_issue_does_not_show_on_this_one(app, client, setting):
    record(app, setting, title="Alleen over groen", issue_ids=[setting.second.id])
    assert "Alleen over groen" in page_text(client.get(f"/issues/{setting.second.id}"))
    assert "Alleen over groen" not in page_text(client.get(f"/issues/{setting.chosen.id}"))


def test_faction_position_names_the_faction(app, client, auth, setting):
    auth.login_as("council")
    data = form(setting, kind="faction_position", faction="Fractie Buurt Eerst", outcome="noted", issues="")
    assert client.post("/council/positions/new", data=data).status_code == 302
    html = page_text(client.get("/council"))
    assert "standpunt van een fractie" in html and "Fractie Buurt Eerst" in html and "genoteerd" in html


def test_summary_is_cleaned_markdown(app, client, setting):
    record(app, setting, summary="<script>alert(1)</script> [klik](javascript:alert(2)) *schuin*")
    html = page_text(client.get("/council"))
    assert "<script>alert(1)" not in html and 'href="javascript' not in html
    assert "<em>schuin</em>" in html


def test_a_day_month_year_date_is_understood(app, client, auth, setting):
    auth.login_as("council")
    assert client.post("/council/positions/new", data=form(setting, decided_on="12-03-2026")).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(CouncilPosition.decided_on)) == date(2026, 3, 12)


def test_council_member_edits_a_position(app, client, auth, setting):
    position_id = record(app, setting)
    auth.login_as("council")
    page = page_text(client.get(f"/council/positions/{position_id}/edit"))
    assert 'value="2026/028"' in page and f'value="{setting.chosen.id}"' in page and 'name="version"' in page
    response = client.post(
        f"/council/positions/{position_id}/edit",
        data=form(setting, reference="2026/029", outcome="postponed", issues=str(setting.second.id), version="1"),
    )
    assert response.status_code == 302
    with app.app_context():
        position = db.session.get(CouncilPosition, position_id)
        assert (position.reference, position.outcome, position.version) == ("2026/029", "postponed", 2)
        assert position.issue_ids == [setting.second.id]
    assert "uitgesteld" in page_text(client.get(f"/council/positions/{position_id}"))


def test_an_edit_on_an_old_version_is_refused_and_changes_nothing(app, client, auth, setting):
    position_id = record(app, setting)
    auth.login_as("council")
    first = client.post(f"/council/positions/{position_id}/edit", data=form(setting, title="Eerste", version="1"))
    assert first.status_code == 302
    late = client.post(f"/council/positions/{position_id}/edit", data=form(setting, title="Tweede", version="1"))
    assert late.status_code == 200
    html = page_text(late)
    assert "Iemand anders heeft dit standpunt of besluit net gewijzigd" in html
    assert 'value="Tweede"' in html  # the late editor's text is still there
    with app.app_context():
        assert db.session.get(CouncilPosition, position_id).title == "Eerste"


def test_unknown_position_is_404(client, auth):
    assert client.get("/council/positions/999").status_code == 404
    auth.login_as("council")
    assert client.get("/council/positions/999/edit").status_code == 404


# --- bad input: a message next to the field, nothing saved ----------------------------------


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"reference": ""}, "reference", "Schrijf het kenmerk van de raad"),
        ({"title": "  "}, "title", "Schrijf een titel"),
        ({"kind": "faction_position"}, "faction", "Schrijf de naam van de fractie"),
        ({"kind": "council_decision", "faction": "Fractie X"}, "faction", "Alleen bij een standpunt van een fractie"),
        ({"issues": "999"}, "issues", "Er is geen onderwerp met nummer 999 in dit proces."),
        ({"issues": "ELSEWHERE"}, "issues", "in dit proces"),
        ({"issues": "12, twaalf"}, "issues", "&#39;twaalf&#39; is geen nummer van een onderwerp"),
        ({"decided_on": "12 maart 2026"}, "decided_on", "Schrijf de datum als jaar-maand-dag"),
        ({"decided_on": ""}, "decided_on", "Schrijf de datum"),
        ({"decided_on": "FUTURE"}, "decided_on", "De datum kan niet in de toekomst liggen"),
        ({"kind": ""}, "kind", "Kies wat voor standpunt of besluit het is."),
        ({"kind": "wet"}, "kind", ""),
        ({"outcome": ""}, "outcome", "Kies de uitkomst."),
        ({"process_id": ""}, "process_id", "Kies het proces."),
        ({"phase": "later"}, "phase", ""),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_saves_nothing(
    app, client, auth, setting, changes, field, message
):
    if changes.get("issues") == "ELSEWHERE":
        changes = {"issues": f"{setting.chosen.id}, {setting.elsewhere.id}"}
    if changes.get("decided_on") == "FUTURE":
        changes = {"decided_on": (local_today() + timedelta(days=30)).isoformat()}
    auth.login_as("council")
    response = client.post("/council/positions/new", data=form(setting, **changes))
    assert response.status_code == 200
    html = page_text(response)
    error = html.split(f'id="{field}-error"', 1)
    assert len(error) == 2, (field, html[html.find("error-summary") :][:800])
    assert message in error[1][:400], error[1][:400]
    assert count(app) == 0


def test_bad_input_on_edit_saves_nothing(app, client, auth, setting):
    position_id = record(app, setting)
    auth.login_as("council")
    response = client.post(
        f"/council/positions/{position_id}/edit", data=form(setting, title="Nieuw", issues="999", version="1")
    )
    assert response.status_code == 200 and 'id="issues-error"' in response.get_data(as_text=True)
    with app.app_context():
        position = db.session.get(CouncilPosition, position_id)
        assert (position.title, position.version, position.issue_ids) == ("Raadsbesluit pilot", 1, [setting.chosen.id])


# --- who may record ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(app, client, setting):
    position_id = record(app, setting)
    for url in ("/council/positions/new", f"/council/positions/{position_id}/edit"):
        assert client.get(url).status_code == 302
        response = client.post(url, data=form(setting, title="Van buiten", version="1"))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    assert count(app) == 1
    with app.app_context():
        assert db.session.get(CouncilPosition, position_id).title == "Raadsbesluit pilot"


@pytest.mark.parametrize("role", ["resident", "partner", "wijkregisseur", "facilitator", "wethouder", "admin"])
def test_other_roles_are_refused_on_every_council_route(app, client, auth, setting, role):
    position_id = record(app, setting)
    auth.login_as(role, org="Stichting Test" if role == "partner" else None)
    for url in ("/council/positions/new", f"/council/positions/{position_id}/edit"):
        assert client.get(url).status_code == 403, url
        response = client.post(url, data=form(setting, title="Niet van de raad", version="1"))
        assert response.status_code == 403, url
        assert "griffie" in response.get_data(as_text=True) or "raad" in response.get_data(as_text=True)
    assert count(app) == 1
    with app.app_context():
        position = db.session.get(CouncilPosition, position_id)
        assert (position.title, position.version) == ("Raadsbesluit pilot", 1)
    html = page_text(client.get("/council"))
    assert "Standpunt of besluit vastleggen" not in html and f"/council/positions/{position_id}/edit" not in html


def test_the_council_page_is_public_and_linked_in_the_menu(app, client, setting):
    record(app, setting)
    response = client.get("/council")
    assert response.status_code == 200
    html = page_text(response)
    assert 'href="/council">Gemeenteraad</a>' in html
    assert "gemeenteraad" in html and "raadsbesluit" in html  # the role and the words explained
    assert "Standpunt of besluit vastleggen" not in html
    assert client.get("/council/positions/1").status_code == 200


# --- checkpoints, filters, pagination --------------------------------------------------------


def test_checkpoints_show_the_interim_stop_with_its_dates_and_positions(app, client, setting):
    record(app, setting, kind="commitment", title="Toezegging tussenstop", outcome="noted", phase="interim")
    record(app, setting, title="Los van de tussenstop")
    html = page_text(client.get("/council"))
    checkpoints = html.split('id="checkpoints-title"', 1)[1].split('id="positions-title"', 1)[0]
    assert "Tussenstop" in checkpoints and "(later)" in checkpoints
    assert "1 februari 2027" in checkpoints and "28 februari 2027" in checkpoints
    assert "Toezegging tussenstop" in checkpoints and "Los van de tussenstop" not in checkpoints
    assert "Ander proces" in checkpoints  # every process has its checkpoints
    assert "De raad heeft hier nog geen standpunt over gegeven." in checkpoints  # the other one has none yet


def test_checkpoint_state_follows_the_phase(app, setting):
    from app.processes.models import Process

    with app.app_context():
        process = db.session.get(Process, setting.process.id)
        for phase, state in (("issues", "upcoming"), ("interim", "current"), ("agendas", "done")):
            process.current_phase = phase
            (interim,) = services.checkpoints(process)
            assert (interim.kind, interim.state, interim.starts_on) == ("interim", state, date(2027, 2, 1))


def test_filters_by_process_and_kind(app, client, setting):
    record(app, setting, title="Besluit hier")
    record(app, setting, kind="motion", title="Motie hier")
    record(app, setting, process_id=setting.other.id, title="Besluit elders", issue_ids=[setting.elsewhere.id])
    by_process = page_text(client.get("/council?process=elders"))
    assert "Besluit elders" in by_process and "Besluit hier" not in by_process
    assert "Wijk van de toekomst Test" not in by_process.split('id="checkpoints-title"')[1].split("positions-title")[0]
    by_kind = page_text(client.get("/council?process=buytenwegh&kind=motion"))
    assert "Motie hier" in by_kind and "Besluit hier" not in by_kind and "Besluit elders" not in by_kind
    assert "Besluit hier" in page_text(client.get("/council?kind=onzin&process=bestaat-niet"))


def test_council_page_is_paginated_newest_first_with_constant_queries(app, client, setting):
    from tests.test_query_counts import queries

    app.config["COUNCIL_PAGE_SIZE"] = 5
    for day in range(1, 4):
        record(app, setting, title=f"Besluit {day:02d}", decided_on=date(2026, 1, day))
    few = queries(app, client, "/council")
    for day in range(4, 13):
        record(
            app,
            setting,
            title=f"Besluit {day:02d}",
            decided_on=date(2026, 1, day),
            issue_ids=[setting.chosen.id, setting.second.id],
            phase="interim",
        )
    assert queries(app, client, "/council") == few
    first = page_text(client.get("/council")).split('id="positions-title"', 1)[1]
    assert first.index("Besluit 12") < first.index("Besluit 11") < first.index("Besluit 08")
    assert "Besluit 07" not in first and 'href="/council?page=2"' in first
    third = page_text(client.get("/council?process=buytenwegh&page=3")).split('id="positions-title"', 1)[1]
    assert "Besluit 02" in third and "Besluit 03" not in third
    assert 'href="/council?page=2&amp;process=buytenwegh"' in third


def test_issue_page_makes_one_query_for_the_council(app, client, setting):
    from tests.test_query_counts import queries

    url = f"/issues/{setting.chosen.id}"
    none = queries(app, client, url)
    for i in range(4):
        record(app, setting, title=f"Besluit {i}")
    assert queries(app, client, url) == none  # the one query for the council's positions runs either way
    with app.app_context():
        titles = [p.title for p in services.positions_for_issue(setting.chosen.id)]
        assert titles == ["Besluit 3", "Besluit 2", "Besluit 1", "Besluit 0"]  # same day: the latest recorded first


# --- services the covenant work and the balance use -------------------------------------------


def test_latest_decision_and_positions_of_a_process(app, setting):
    record(app, setting, kind="motion", title="Motie", decided_on=date(2026, 5, 1), outcome="approved")
    record(app, setting, title="Oud besluit", decided_on=date(2026, 3, 1), outcome="rejected")
    record(app, setting, title="Nieuw besluit", decided_on=date(2026, 4, 1), outcome="approved")
    with app.app_context():
        assert decisions.latest_position_for("issue", setting.chosen.id).title == "Nieuw besluit"
        assert decisions.latest_position_for("issue", setting.chosen.id, kinds=["motion"]).title == "Motie"
        assert decisions.council_approved("issue", setting.chosen.id)
        assert not decisions.council_approved("issue", setting.second.id)
        rows = services.positions_of(setting.process.id)
        assert [(p.title, p.kind, p.outcome, p.decided_on, p.issue_ids) for p in rows] == [
            ("Motie", "motion", "approved", date(2026, 5, 1), [setting.chosen.id]),
            ("Nieuw besluit", "council_decision", "approved", date(2026, 4, 1), [setting.chosen.id]),
            ("Oud besluit", "council_decision", "rejected", date(2026, 3, 1), [setting.chosen.id]),
        ]
        assert services.positions_of(setting.other.id) == []


# --- the API --------------------------------------------------------------------------------


def test_api_lists_positions_paginated_without_email(app, client, setting):
    clerk = make_user(app, role="council", email="geheim-griffie@example.org", name="Geheime Griffier")
    with app.app_context():
        from app.accounts.models import User

        user = db.session.get(User, clerk.id)
        for i in range(55):
            services.record_position(
                user,
                services.PositionData(
                    process_id=setting.process.id,
                    kind="faction_position",
                    faction="Fractie Buurt Eerst",
                    decided_on=date(2026, 1, 1) + timedelta(days=i),
                    reference=f"F-{i}",
                    title=f"Standpunt {i}",
                    outcome="noted",
                    summary="Wij willen *meer* licht.",
                    issue_ids=[setting.chosen.id],
                ),
            )
        db.session.commit()
    record(
        app,
        setting,
        process_id=setting.other.id,
        title="Elders",
        issue_ids=[setting.elsewhere.id],
        decided_on=date(2025, 12, 1),
    )
    page1 = client.get("/api/v1/council/positions").get_json()
    page2 = client.get("/api/v1/council/positions?page=2").get_json()
    assert (page1["total"], page1["pages"], page1["page"], len(page1["items"]), len(page2["items"])) == (
        56,
        2,
        1,
        50,
        6,
    )
    item = page1["items"][0]
    assert set(item) == {
        "id",
        "process",
        "kind",
        "faction",
        "decided_on",
        "reference",
        "title",
        "summary",
        "outcome",
        "phase",
        "issues",
        "covenants",
        "url",
    }
    assert item["title"] == "Standpunt 54" and item["decided_on"] == "2026-02-24" and item["process"] == "buytenwegh"
    assert item["kind"] == "faction_position" and item["faction"] == "Fractie Buurt Eerst"
    assert item["issues"] == [setting.chosen.id] and item["url"].endswith(f"/council/positions/{item['id']}")
    filtered = client.get("/api/v1/council/positions?process=elders").get_json()
    assert filtered["total"] == 1 and filtered["items"][0]["issues"] == [setting.elsewhere.id]
    assert filtered["items"][0]["faction"] is None
    assert client.get("/api/v1/council/positions?process=bestaat-niet").status_code == 404
    assert item["summary"] == "Wij willen *meer* licht."  # the Markdown source, as text
    everything = json.dumps([page1, page2, filtered])
    assert "@" not in everything and "Geheime Griffier" not in everything and "geheim-griffie" not in everything


# --- demo data ------------------------------------------------------------------------------


def test_demo_has_council_positions_linked_to_issues(app, client):
    from app.seeding import load_demo

    with app.app_context():
        added = load_demo()
        db.session.commit()
        assert added["council positions"] >= 4
        assert load_demo()["council positions"] == 0
        db.session.commit()
        kinds = set(db.session.scalars(sa.select(CouncilPosition.kind)))
        assert kinds == {"council_decision", "motion", "commitment", "faction_position"}
        assert all(p.recorded_by.email == "raad@example.org" for p in db.session.scalars(sa.select(CouncilPosition)))
    html = page_text(client.get("/council"))
    assert "Pilot Wijk van de toekomst Buytenwegh" in html and "Tussenstop" in html
    assert "Standpunt van de gemeenteraad" in page_text(client.get("/issues/1"))
