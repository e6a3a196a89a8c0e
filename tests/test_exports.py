"""The congress bundle (issue #7): its files, that the CSV, JSON and XLSX rows match the database,
the export page from choosing to downloading (synchronous in tests), who may use it, bad input,
and `flask export congress`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.exports import jobs
from app.exports.bundle import PARTS, build_bundle
from app.extensions import db
from tests.conftest import make_user

SLUG = "buytenwegh"
TABLES = ("issues", "votes", "comments", "agendas", "activities", "covenants", "signatures", "council")


def seed_demo(runner) -> None:
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def build(app, include=None) -> zipfile.ZipFile:
    from app.processes.services import get_process

    buffer = io.BytesIO()
    with app.app_context():
        build_bundle(get_process(SLUG), include, buffer)
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"app.exports.{name}") is not None


def expected_files(include=PARTS) -> set[str]:
    tables = [t for t in TABLES if _part(t) in include]
    names = {f"csv/{t}.csv" for t in tables} | {f"data/{t}.json" for t in tables} | {"README.txt"}
    if tables:
        names.add(f"{SLUG}.xlsx")
    if "booklet" in include and has_module("booklet"):
        names.add("booklet.pdf")
    return names


def _part(table: str) -> str:
    return {"activities": "agendas", "signatures": "covenants"}.get(table, table)


def database_counts(app) -> dict[str, int]:
    from app.agendas import services as agendas
    from app.agendas.models import Agenda
    from app.council.models import CouncilPosition
    from app.covenants.models import Covenant, Signature
    from app.issues.models import Comment, Issue
    from app.processes.services import get_process

    with app.app_context():
        process = get_process(SLUG)
        visible = sa.select(Issue.id).where(Issue.process_id == process.id, Issue.visibility == "visible")
        count = lambda stmt: db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))  # noqa: E731
        agenda_rows = list(db.session.scalars(sa.select(Agenda).where(Agenda.issue_id.in_(visible))))
        covenant_ids = sa.select(Covenant.id).where(Covenant.process_id == process.id)
        return {
            "issues": count(visible),
            "votes": count(visible),
            "comments": count(
                sa.select(Comment.id).where(Comment.issue_id.in_(visible), Comment.visibility == "visible")
            ),
            "agendas": len(agenda_rows),
            "activities": sum(len(agendas.document(a)["items"]) for a in agenda_rows),
            "covenants": count(covenant_ids),
            "signatures": count(sa.select(Signature.id).where(Signature.covenant_id.in_(covenant_ids))),
            "council": count(sa.select(CouncilPosition.id).where(CouncilPosition.process_id == process.id)),
        }


def test_the_demo_bundle_has_every_file_and_the_rows_match_the_database(app, runner):
    seed_demo(runner)
    started = time.perf_counter()
    bundle = build(app)
    print(f"\ndemo bundle built in {time.perf_counter() - started:.2f}s")  # measured, not asserted
    names = set(bundle.namelist())
    assert expected_files() <= names
    assert names - expected_files() <= {n for n in names if n.startswith("posters/") and n.endswith(".pdf")}
    assert bundle.testzip() is None

    counts = database_counts(app)
    assert counts["issues"] > 0 and counts["comments"] > 0 and counts["activities"] > 0 and counts["signatures"] > 0
    workbook = load_workbook(io.BytesIO(bundle.read(f"{SLUG}.xlsx")), read_only=True)
    assert workbook.sheetnames == list(TABLES)
    for table in TABLES:
        raw = bundle.read(f"csv/{table}.csv")
        assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        items = json.loads(bundle.read(f"data/{table}.json"))
        sheet = list(workbook[table].iter_rows(values_only=True))
        assert len(rows) == len(items) == len(sheet) - 1 == counts[table], table
        assert list(sheet[0]) == list(rows[0].keys()) == list(items[0].keys()), table
        if "id" in items[0]:
            assert [int(r["id"]) for r in rows] == [i["id"] for i in items] == [s[0] for s in sheet[1:]]
    workbook.close()

    issues = json.loads(bundle.read("data/issues.json"))
    assert all(isinstance(i["domains"], list) for i in issues)
    assert sum(i["priority_points"] for i in issues) > 0, "the demo's round is closed: totals are published"
    activity = json.loads(bundle.read("data/activities.json"))[0]
    assert activity["title"] and activity["responsible"] and activity["status"]
    covenant = json.loads(bundle.read("data/covenants.json"))[0]
    assert re.fullmatch(r"[0-9a-f]{64}", covenant["fingerprint"]) and covenant["parties"]
    readme = bundle.read("README.txt").decode("utf-8")
    assert "Privacy" in readme and "e-mailadres" in readme and "totaal" in readme


def test_only_the_chosen_parts_go_in(app, runner):
    seed_demo(runner)
    bundle = build(app, {"issues", "covenants"})
    assert set(bundle.namelist()) == expected_files({"issues", "covenants"})
    workbook = load_workbook(io.BytesIO(bundle.read(f"{SLUG}.xlsx")), read_only=True)
    assert workbook.sheetnames == ["issues", "covenants", "signatures"]
    with pytest.raises(ValueError):
        build(app, {"ballots"})


def test_tables_are_read_in_pages(app, runner, monkeypatch):
    """With a page of 4 rows the same rows come out, in more queries: nothing depends on one big read."""
    from app.exports import data

    seed_demo(runner)
    whole = build(app)
    statements = []
    monkeypatch.setattr(data, "PAGE_SIZE", 4)
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        paged = build(app)
    for table in TABLES:
        assert json.loads(paged.read(f"data/{table}.json")) == json.loads(whole.read(f"data/{table}.json")), table
    limited = [s for s in statements if "FROM comments" in s or ("FROM issues" in s and "LIMIT" in s.upper())]
    assert len(limited) >= database_counts(app)["issues"] // 4  # comments come a page of issues at a time


def test_text_that_looks_like_a_formula_stays_text():
    from app.exports.bundle import _csv_value

    assert _csv_value('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _csv_value("gewoon") == "gewoon" and _csv_value(12) == 12 and _csv_value(None) == ""


def test_the_cli_parts_match_the_bundle():
    from app.cli import EXPORT_PARTS

    assert EXPORT_PARTS == PARTS


# --- the page --------------------------------------------------------------------------------


def test_a_facilitator_makes_and_downloads_a_bundle(app, client, auth, runner):
    seed_demo(runner)
    auth.login_as("facilitator")
    page = client.get("/exports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="process_slug"' in html and SLUG in html
    assert html.count('name="include"') == len(PARTS) and html.count("checked") >= len(PARTS)

    response = client.post("/exports", data={"process_slug": SLUG, "include": list(PARTS)})
    assert response.status_code == 303
    location = response.headers["Location"]
    token = location.rsplit("/", 1)[-1]
    assert jobs.TOKEN.match(token)
    status = client.get(location)
    assert status.status_code == 200 and "Refresh" not in status.headers
    html = status.get_data(as_text=True)
    assert 'aria-live="polite"' in html and f"/exports/{token}/download" in html

    download = client.get(f"/exports/{token}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert f"{SLUG}-congres.zip" in download.headers["Content-Disposition"]
    assert "attachment" in download.headers["Content-Disposition"]
    bundle = zipfile.ZipFile(io.BytesIO(download.data))
    assert expected_files() <= set(bundle.namelist()) and bundle.testzip() is None


def test_a_running_build_shows_its_progress_and_refreshes(app, client, auth):
    person = auth.login_as("wijkregisseur")
    with app.test_request_context():
        from flask_login import login_user  # noqa: F401  (only the app context matters here)

        jobs.write_status("r" * 32, user_id=person.id, process=SLUG, process_name="Buurt", percent=42, step="comments")
    response = client.get("/exports/" + "r" * 32)
    assert response.status_code == 200
    assert response.headers["Refresh"] == "2"
    html = response.get_data(as_text=True)
    assert "42%" in html and 'aria-live="polite"' in html and "<progress" in html
    assert client.get("/exports/" + "r" * 32 + "/download").status_code == 404, "not ready yet"


def test_a_failed_build_says_so(app, client, auth, runner, monkeypatch):
    from app.exports import bundle

    seed_demo(runner)
    auth.login_as("admin")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bundle, "build_bundle", broken)
    response = client.post("/exports", data={"process_slug": SLUG, "include": ["issues"]}, follow_redirects=True)
    assert response.status_code == 200
    assert "utrecht-alert--error" in response.get_data(as_text=True)
    assert not any(p.suffix in (".zip", ".part") for p in (app.instance_path / _path("exports")).iterdir())


def _path(name):
    from pathlib import Path

    return Path(name)


def test_someone_elses_bundle_is_not_found(app, client, auth, runner):
    seed_demo(runner)
    auth.login_as("facilitator")
    token = (
        client.post("/exports", data={"process_slug": SLUG, "include": ["issues"]})
        .headers["Location"]
        .rsplit("/", 1)[-1]
    )
    auth.logout()
    auth.login_as("facilitator")
    assert client.get(f"/exports/{token}").status_code == 404
    assert client.get(f"/exports/{token}/download").status_code == 404
    assert client.get("/exports/../../etc/passwd").status_code == 404
    assert client.get("/exports/" + "x" * 30).status_code == 404


def test_bad_input_gets_a_message_next_to_the_field_and_builds_nothing(app, client, auth, runner):
    seed_demo(runner)
    auth.login_as("facilitator")
    response = client.post("/exports", data={"process_slug": "", "include": list(PARTS)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="process_slug-error"' in html and 'aria-invalid="true"' in html
    response = client.post("/exports", data={"process_slug": "bestaat-niet", "include": list(PARTS)})
    assert response.status_code == 400 and 'id="process_slug-error"' in response.get_data(as_text=True)
    response = client.post("/exports", data={"process_slug": SLUG})
    assert response.status_code == 400 and 'id="include-error"' in response.get_data(as_text=True)
    response = client.post("/exports", data={"process_slug": SLUG, "include": ["ballots"]})
    assert response.status_code == 400
    folder = _path(app.instance_path) / "exports"
    assert not folder.exists() or not any(folder.iterdir())


def _some_token(app, user_id: int) -> str:
    with app.app_context():
        token = "t" * 32
        jobs.write_status(token, user_id=user_id, process=SLUG, process_name="x", percent=100, done=True)
        jobs.zip_path(token).write_bytes(b"PK\x05\x06" + b"\0" * 18)
        return token


@pytest.mark.parametrize("role", ["resident", "partner", "wethouder", "council"])
def test_other_roles_are_refused(app, client, auth, role):
    owner = make_user(app, role="facilitator")
    token = _some_token(app, owner.id)
    auth.login_as(role, **({"org": "Stichting Test"} if role == "partner" else {}))
    assert client.get("/exports").status_code == 403
    assert client.post("/exports", data={"process_slug": SLUG, "include": ["issues"]}).status_code == 403
    assert client.get(f"/exports/{token}").status_code == 403
    assert client.get(f"/exports/{token}/download").status_code == 403


def test_visitors_are_sent_to_log_in(app, client):
    owner = make_user(app, role="facilitator")
    token = _some_token(app, owner.id)
    for response in (
        client.get("/exports"),
        client.post("/exports", data={"process_slug": SLUG, "include": ["issues"]}),
        client.get(f"/exports/{token}"),
        client.get(f"/exports/{token}/download"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_post_is_csrf_checked(app, client, auth):
    auth.login_as("facilitator")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/exports", data={"process_slug": SLUG, "include": ["issues"]})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    folder = _path(app.instance_path) / "exports"
    assert not folder.exists() or not any(folder.iterdir())


def test_old_bundles_are_cleaned_up(app):
    with app.app_context():
        old = jobs.folder() / "oud.zip"
        old.write_bytes(b"x")
        fresh = jobs.folder() / "nieuw.zip"
        fresh.write_bytes(b"x")
        two_days = time.time() - 2 * 24 * 60 * 60
        os.utime(old, (two_days, two_days))
        assert jobs.cleanup() == 1
        assert not old.exists() and fresh.exists()


# --- the command line ------------------------------------------------------------------------


def test_the_cli_writes_the_same_bundle(app, runner, tmp_path):
    seed_demo(runner)
    out = tmp_path / "bundel.zip"
    result = runner.invoke(args=["export", "congress", SLUG, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "KiB" in result.output and "s" in result.output
    from_cli = set(zipfile.ZipFile(out).namelist())
    assert from_cli == set(build(app).namelist())

    result = runner.invoke(args=["export", "congress", SLUG, "--out", str(out), "--without", "comments"])
    assert result.exit_code == 0, result.output
    names = set(zipfile.ZipFile(out).namelist())
    assert "csv/comments.csv" not in names and "csv/issues.csv" in names
    assert not (tmp_path / "bundel.zip.part").exists()

    result = runner.invoke(args=["export", "congress", "bestaat-niet", "--out", str(out)])
    assert result.exit_code != 0 and "bestaat-niet" in result.output


def test_outside_tests_the_bundle_is_built_in_a_background_thread(app, client, auth, runner):
    """The real path: the POST returns at once, the page shows progress, the thread finishes the ZIP."""
    seed_demo(runner)
    app.config["JOBS_SYNC"] = False  # no REDIS_URL: a thread of the web process
    auth.login_as("facilitator")
    location = client.post("/exports", data={"process_slug": SLUG, "include": ["issues", "votes"]}).headers["Location"]
    deadline = time.monotonic() + 60
    while True:
        page = client.get(location)
        assert page.status_code == 200
        if "Refresh" not in page.headers or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "/download" in page.get_data(as_text=True), page.get_data(as_text=True)
    bundle = zipfile.ZipFile(io.BytesIO(client.get(location + "/download").data))
    assert set(bundle.namelist()) == expected_files({"issues", "votes"})


def test_a_second_click_joins_the_running_build(app):
    from app.exports import jobs
    from app.processes.services import get_process
    from tests.conftest import make_process

    made = make_process(app, slug="dubbel")
    with app.test_request_context():
        process = get_process(made.slug)
        token = "a" * 32
        jobs.write_status(token, user_id=7, process=process.slug, done=False, error=None, percent=10)
        assert jobs.running_build(process, 7) == token
        assert jobs.running_build(process, 8) is None  # someone else's build is not joined
        jobs.write_status(token, done=True)
        assert jobs.running_build(process, 7) is None
