"""A new process starts unpublished: until the wijkregisseur publishes it, visitors and participants
see nothing of it anywhere (lists, pages, API, council, covenants, moderation log: 404 or left out),
while the wijkregisseur, facilitators and administrators see it with a "not published" banner."""

from __future__ import annotations

import html
import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import url_for

from app.extensions import db
from app.processes.models import Process
from tests.conftest import empty_database, make_app, make_issue, make_process, make_user

DEMO_PASSWORD = "lantaarn-fiets-dinsdag-42"
NOT_PREPARERS = ("resident", "partner", "wethouder", "council")


def _published_at(app, slug):
    with app.app_context():
        return db.session.scalar(sa.select(Process.published_at).where(Process.slug == slug))


# --- creating and publishing ------------------------------------------------------------------------


def test_a_new_process_is_unpublished_and_only_its_preparers_see_it(app, client, auth):
    auth.login_as("wijkregisseur")
    created = client.post("/processes/new", data={"name": "Wijk van de toekomst Seghwaert", "neighbourhood": "X"})
    assert created.status_code == 302
    slug = created.headers["Location"].rsplit("/", 1)[1]
    assert _published_at(app, slug) is None
    page = client.get(f"/processes/{slug}").get_data(as_text=True)
    assert "Niet gepubliceerd." in page and "Dit proces publiceren" in page
    assert "Niet gepubliceerd" in client.get("/processes").get_data(as_text=True)  # tagged in the list
    auth.logout()

    assert client.get(f"/processes/{slug}").status_code == 404
    assert "Seghwaert" not in client.get("/processes").get_data(as_text=True)
    assert "Seghwaert" not in client.get("/").get_data(as_text=True)
    for role in NOT_PREPARERS:
        auth.login_as(role, org="Halte 2717" if role == "partner" else None)
        assert client.get(f"/processes/{slug}").status_code == 404, role
        assert client.get(f"/processes/{slug}/issues").status_code == 404, role
        assert "Seghwaert" not in client.get("/processes").get_data(as_text=True), role
        auth.logout()

    auth.login_as("facilitator")  # sees it, with the banner, but does not publish
    page = client.get(f"/processes/{slug}").get_data(as_text=True)
    assert "Niet gepubliceerd." in page and "Dit proces publiceren" not in page
    assert "De wijkregisseur publiceert het als het klaar is." in page
    issues = client.get(f"/processes/{slug}/issues").get_data(as_text=True)
    assert "unpublished-banner" in issues  # every page of the process carries the banner


def test_the_wijkregisseur_publishes_it_for_everyone(app, client, auth):
    p = make_process(app, published=False, name="Wijk van de toekomst Meerzicht")
    director = auth.login_as("wijkregisseur")
    response = client.post(f"/processes/{p.slug}/publish")
    assert response.status_code == 302
    with app.app_context():
        process = db.session.get(Process, p.id)
        assert process.published_at is not None and process.published_by_id == director.id
    again = client.post(f"/processes/{p.slug}/publish", follow_redirects=True)  # twice: nothing changes
    assert "Het proces was al gepubliceerd." in again.get_data(as_text=True)
    auth.logout()
    page = client.get(f"/processes/{p.slug}")
    assert page.status_code == 200 and "Niet gepubliceerd" not in page.get_data(as_text=True)
    assert "Meerzicht" in client.get("/processes").get_data(as_text=True)


@pytest.mark.parametrize("role", ["facilitator", "wethouder", "council", "resident", "partner"])
def test_other_roles_cannot_publish(app, client, auth, role):
    p = make_process(app, published=False)
    auth.login_as(role, org="Halte 2717" if role == "partner" else None)
    response = client.post(f"/processes/{p.slug}/publish")
    # those who may see it are refused; for the others it does not exist
    assert response.status_code == (403 if role == "facilitator" else 404)
    assert _published_at(app, p.slug) is None


def test_a_visitor_cannot_publish(app, client):
    p = make_process(app, published=False)
    response = client.post(f"/processes/{p.slug}/publish")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _published_at(app, p.slug) is None


def test_the_demo_process_is_published(app, runner):
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert _published_at(app, "buytenwegh") is not None


def test_seed_scale_makes_a_published_process(app, runner):
    result = runner.invoke(args=["seed", "scale", "--issues", "2", "--users", "2", "--votes", "1", "--comments", "1"])
    assert result.exit_code == 0, result.output
    assert _published_at(app, "schaal") is not None


# --- the migration ------------------------------------------------------------------------------------


def test_the_migration_marks_existing_processes_published(tmp_path):
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    app = make_app(url)
    with app.app_context():
        upgrade(revision="0006_covenants")  # a database from before this change, with a process in it
        db.session.execute(
            sa.text(
                "INSERT INTO processes (slug, name, neighbourhood, description, plan, current_phase, created_at,"
                " updated_at, premoderate_first, auto_hide_after)"
                " VALUES ('oud', 'Oud', 'Oud', '', '', 'issues', '2026-01-05 10:00:00', '2026-01-05 10:00:00', 0, 3)"
            )
        )
        db.session.commit()
        upgrade(revision="0010_phase_guard")
        published = db.session.scalar(sa.text("SELECT published_at FROM processes WHERE slug = 'oud'"))
        assert published is not None and str(published).startswith("2026-01-05")
        db.engine.dispose()


# --- everywhere: a sweep over every route with the demo data, its process unpublished -----------------


@pytest.fixture(scope="module")
def hidden(schema_template, tmp_path_factory):
    """The demo data with its process made unpublished, and a second, published process beside it."""
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("unpublished")
    patch.setenv("INSTANCE_PATH", str(folder / "instance"))
    url = empty_database(schema_template, folder)
    app = make_app(url)
    with app.app_context():
        from app.seeding import load_demo

        load_demo()
        db.session.execute(sa.update(Process).values(published_at=None))
        db.session.commit()
        values, markers = _hidden_values_and_markers()
    other = make_process(app, slug="seghwaert", name="Wijk van de toekomst Seghwaert")
    resident = make_user(app, role="resident")
    make_issue(app, other.id, resident.id, title="Een bankje bij de vijver in Seghwaert")
    yield SimpleNamespace(app=app, values=values, markers=markers)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    patch.undo()


def _hidden_values_and_markers():
    from app.agendas.models import Agenda, IssueLink
    from app.council.models import CouncilPosition
    from app.covenants.models import Covenant, CovenantParty
    from app.issues.models import Comment, Issue

    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.current_revision > 0).order_by(Agenda.id).limit(1))
    covenant = db.session.scalar(sa.select(Covenant).order_by(Covenant.id).limit(1))
    values = {
        "slug": "buytenwegh",
        "issue_id": agenda.issue_id,
        "horizon": agenda.horizon,
        "covenant_id": covenant.id,
        "number": 1,
        "position_id": db.session.scalar(sa.select(sa.func.min(CouncilPosition.id))),
        "comment_id": db.session.scalar(sa.select(sa.func.min(Comment.id))),
        "link_id": db.session.scalar(sa.select(sa.func.min(IssueLink.id))) or 1,
        "party": db.session.scalar(sa.select(CovenantParty.party).where(CovenantParty.covenant_id == covenant.id)),
    }
    markers = {"Wijk van de toekomst Buytenwegh"}
    markers |= set(db.session.scalars(sa.select(Issue.title)))
    markers |= set(db.session.scalars(sa.select(Covenant.title)))
    markers |= set(db.session.scalars(sa.select(CouncilPosition.title)))
    return values, markers


# Path arguments that name something of the hidden process.
HIDDEN_ARGUMENTS = {"slug", "issue_id", "covenant_id", "position_id", "comment_id", "link_id"}


def _urls(app, method: str, values: dict) -> list[tuple[str, str, bool]]:
    """(endpoint, url, names something hidden) for every rule with this method."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if method not in rule.methods or rule.endpoint == "static":
                continue
            args = {}
            for name in rule.arguments:
                converter = type(rule._converters[name]).__name__
                if name in values:
                    args[name] = values[name]
                elif converter == "AnyConverter":
                    args[name] = sorted(rule._converters[name].items)[0]
                elif name == "target_id":
                    args[name] = values["issue_id"]
                else:
                    args[name] = 1 if "Integer" in converter or name.endswith("_id") else "x"
            if rule.endpoint == "moderation.item":
                args["target_type"] = "issue"
            url = url_for(rule.endpoint, **args)
            names_hidden = bool(HIDDEN_ARGUMENTS & set(rule.arguments)) or rule.endpoint == "moderation.item"
            found.append((rule.endpoint, url, names_hidden))
            if not rule.arguments:  # lists: also filtered on the hidden process
                found.append((rule.endpoint, url + "?process=buytenwegh", False))
    return sorted(found)


def _text(response) -> str:
    body = response.get_data(as_text=True)
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return html.unescape(body)


def _log_in(client, email):
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email


PARTICIPANTS = {
    "visitor": None,
    "resident": "bewoner@example.org",
    "partner": "bestuurder@example.org",  # a signatory: covenants would be theirs to sign
    "wethouder": "wethouder@example.org",
    "council": "raad@example.org",
}


@pytest.mark.parametrize("who", sorted(PARTICIPANTS))
def test_nothing_of_an_unpublished_process_reaches_anyone_else(hidden, who):
    client = hidden.app.test_client()
    if PARTICIPANTS[who]:
        _log_in(client, PARTICIPANTS[who])
    leaks, shown = [], []
    for method in ("GET", "POST"):
        for endpoint, url, names_hidden in _urls(hidden.app, method, hidden.values):
            if method == "POST" and (not names_hidden or endpoint == "accounts.logout"):
                continue
            response = client.get(url) if method == "GET" else client.post(url, data={})
            text = _text(response)
            found = [m for m in hidden.markers if m in text]
            if found:
                leaks.append((method, url, response.status_code, found[:2]))
            location = response.headers.get("Location", "")
            refused = response.status_code in (400, 403, 404) or (response.status_code == 302 and "/login" in location)
            if names_hidden and not refused:
                shown.append((method, url, response.status_code))
    assert leaks == []
    assert shown == []


def test_published_processes_stay_where_they_were(hidden):
    client = hidden.app.test_client()
    _log_in(client, "bewoner@example.org")
    for url in ("/", "/processes", "/processes/seghwaert", "/processes/seghwaert/issues"):
        response = client.get(url)
        assert response.status_code == 200 and "Seghwaert" in response.get_data(as_text=True), url
    api = client.get("/api/v1/processes").get_json()
    assert [p["slug"] for p in api["items"]] == ["seghwaert"]
    assert client.get("/api/v1/processes/buytenwegh/issues").status_code == 404


@pytest.mark.parametrize("email", ["wijkregisseur@example.org", "facilitator@example.org", "admin@example.org"])
def test_preparers_see_everything_with_a_banner(hidden, email):
    client = hidden.app.test_client()
    _log_in(client, email)
    v = hidden.values
    for url in (
        "/processes/buytenwegh",
        f"/issues/{v['issue_id']}",
        f"/issues/{v['issue_id']}/agendas/{v['horizon']}",
        f"/covenants/{v['covenant_id']}",
        f"/council/positions/{v['position_id']}",
        "/processes/buytenwegh/issues",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Niet gepubliceerd." in response.get_data(as_text=True), url
    assert "Wijk van de toekomst Buytenwegh" in client.get("/processes").get_data(as_text=True)
    # the open data API shows what the public sees, also to them
    api = client.get("/api/v1/processes").get_json()
    assert "buytenwegh" not in [p["slug"] for p in api["items"]]
    assert client.get(f"/api/v1/covenants/{v['covenant_id']}").status_code == 404


def test_a_facilitator_can_export_a_process_before_it_is_published(app, client, auth):
    import io
    import zipfile

    p = make_process(app, published=False, slug="seghwaert")
    author = make_user(app, role="resident")
    make_issue(app, p.id, author.id, title="Een bankje bij de vijver")
    auth.login_as("facilitator")
    response = client.post("/exports", data={"process_slug": "seghwaert", "include": ["issues"]})
    assert response.status_code == 303
    download = client.get(response.headers["Location"] + "/download")
    assert download.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(download.data))
    issues = next(name for name in bundle.namelist() if name.endswith("issues.csv"))
    assert "Een bankje bij de vijver" in bundle.read(issues).decode("utf-8-sig")


def test_the_export_command_finds_a_process_before_it_is_published(app, runner, tmp_path):
    p = make_process(app, published=False, slug="meerzicht")
    author = make_user(app, role="resident")
    make_issue(app, p.id, author.id, title="Een bankje bij de vijver")
    out = tmp_path / "meerzicht.zip"
    result = runner.invoke(
        args=["export", "congress", "meerzicht", "--out", str(out), "--without", "booklet", "--without", "posters"]
    )
    assert result.exit_code == 0, result.output
    assert "1 issues" in result.output
