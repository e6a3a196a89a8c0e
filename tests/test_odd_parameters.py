"""Odd parameter values get 400 or 404, never a 500; the API names the refused parameter; request
bodies are bounded for the whole site, with a way for one route to accept more."""

from __future__ import annotations

import io

import pytest
from flask import request

from app.request_size import larger_body
from tests.conftest import make_app, make_issue, make_process, make_user

ODD_PAGES = ["²", "9" * 5000, "99999999999999999999999", "9223372036854775808", "-110347", "0", "abc", "1e9"]


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return app


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ODD_PAGES)
def test_lists_refuse_an_odd_page_with_400_naming_it(demo, client, page):
    for path in (
        "/processes/buytenwegh/issues",
        "/council",
        "/covenants/",
        "/moderation/log",
        "/issues/2",
        "/issues/1/agendas/1/history",
    ):
        response = client.get(path, query_string={"page": page})
        assert response.status_code == 400, (path, page, response.status_code)
        text = response.get_data(as_text=True)
        assert "(page)" in text and "Kijk het adres na" in text  # the site's own Dutch words


def test_a_page_past_the_end_is_empty_not_an_error(demo, client):
    response = client.get("/processes/buytenwegh/issues?page=100000")
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["99999999999999999999999", "9" * 5000, "2147483648", "9223372036854775808"])
def test_ids_beyond_every_integer_column_are_not_found(demo, client, number):
    for path in (
        f"/issues/{number}",
        f"/issues/{number}/agendas/1",
        f"/issues/1/agendas/{number}",
        f"/covenants/{number}",
        f"/covenants/1/versions/{number}",
        f"/council/positions/{number}",
        f"/api/v1/issues/{number}",
        f"/api/v1/covenants/{number}",
    ):
        assert client.get(path).status_code == 404, path


def test_digits_that_are_not_0_to_9_are_not_ids(demo, client):
    assert client.get("/issues/%D9%A3").status_code == 404  # Arabic-Indic three: \d matches it
    assert client.get("/issues/%C2%B2").status_code == 404  # superscript two


def test_revision_numbers_in_the_diff_are_checked(demo, client):
    base = "/issues/1/agendas/1/history/diff"
    assert client.get(base).status_code in (200, 404)
    for value in ("²", "99999999999999999999999", "9" * 5000, "-1"):
        assert client.get(base, query_string={"to": value}).status_code == 400
        assert client.get(base, query_string={"from": value}).status_code == 400


def test_a_nul_character_is_refused_before_any_view(demo, client, auth):
    assert client.get("/processes/%00").status_code == 404
    assert client.get("/processes/buytenwegh/issues?q=%00").status_code == 400
    assert client.get("/covenants/?process=bu%00ytenwegh").status_code == 400
    user = auth.login_as("resident")
    response = client.post("/account", data={"display_name": "Naam\x00", "email": user.email})
    assert response.status_code == 400


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/processes?page=-110347", "page"),
        ("/api/v1/processes?page=abc", "page"),
        ("/api/v1/processes?page=%C2%B2", "page"),
        ("/api/v1/processes?page=99999999999999999999999", "page"),
        ("/api/v1/processes?page=1&page=2", "page"),
        ("/api/v1/processes/buytenwegh/issues?status=nonsense", "status"),
        ("/api/v1/processes/buytenwegh/issues?status=open&status=closed", "status"),
        ("/api/v1/covenants?status=%3Cscript%3E", "status"),
        ("/api/v1/covenants?process=Not%20A%20Slug", "process"),
        ("/api/v1/council/positions?process=" + "a" * 61, "process"),
        ("/api/v1/council/positions?page=0", "page"),
    ],
)
def test_the_api_answers_400_naming_the_parameter(demo, client, path, parameter):
    response = client.get(path)
    assert response.status_code == 400, path
    body = response.get_json()
    assert body["parameter"] == parameter and body["error"] and parameter in body["message"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_api_accepts_what_its_document_allows(demo, client):
    assert client.get("/api/v1/processes?page=1").status_code == 200
    assert client.get("/api/v1/processes?page=").status_code == 200  # empty counts as absent
    assert client.get("/api/v1/processes/buytenwegh/issues?status=shortlisted").status_code == 200
    assert client.get("/api/v1/covenants?status=in_force&process=buytenwegh").status_code == 200
    assert client.get("/api/v1/covenants?process=bestaat-niet").status_code == 404
    assert client.get("/api/v1/covenants/78916038422301098639360").status_code == 404


def test_the_openapi_document_states_the_constraints_and_the_400(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    parameters = doc["components"]["parameters"]
    assert parameters["Page"]["schema"]["minimum"] == 1 and parameters["Page"]["schema"]["maximum"] >= 1000
    assert "open" in parameters["IssueStatus"]["schema"]["enum"]
    assert parameters["Process"]["schema"]["pattern"]
    for template in ("/processes", "/processes/{slug}/issues", "/council/positions", "/covenants"):
        assert "400" in doc["paths"][template]["get"]["responses"], template
    assert "parameter" in doc["components"]["schemas"]["Error"]["properties"]


# --- how much a request may send -------------------------------------------------------------------


class Body(io.RawIOBase):
    """A request body of `size` bytes that counts how much of it the server read."""

    def __init__(self, size: int):
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self):
        return True

    def seekable(self):  # the test client measures the body by seeking to its end and back
        return True

    def seek(self, offset, whence=0):
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def test_a_huge_post_is_refused_before_it_is_read(client):
    body = Body(300 * 1024 * 1024)
    response = client.post("/login", input_stream=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert body.read_bytes <= 64 * 1024  # not read in full before refusing
    text = response.get_data(as_text=True)
    assert "Wat u stuurde is te groot" in text and "1,0 MB" in text


def test_a_body_without_length_is_cut_off_at_the_limit(client):
    body = Body(50 * 1024 * 1024)
    response = client.post(
        "/login",
        input_stream=body,
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": "", "wsgi.input_terminated": True},  # as a chunked upload
    )
    assert response.status_code == 413
    assert body.read_bytes <= 2 * 1024 * 1024


def test_forms_with_too_many_or_too_large_fields_are_refused(client):
    many = "&".join(f"f{i}=x" for i in range(1500))
    response = client.post("/login", data=many, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    large = "email=" + "a" * 600_000
    assert client.post("/login", data=large, content_type="application/x-www-form-urlencoded").status_code == 413
    ordinary = client.post("/login", data={"email": "iemand@example.org", "password": "x" * 20})
    assert ordinary.status_code == 200  # a wrong password, shown on the form


def test_one_route_can_accept_more_than_the_site(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url)

    @larger_body(max_content_length=3 * 1024 * 1024, max_form_memory_size=3 * 1024 * 1024)
    def upload():
        return {"size": len(request.form["file"])}

    app.add_url_rule("/test-upload", "test_upload", upload, methods=["POST"])
    client = app.test_client()
    two_mb = {"file": "a" * (2 * 1024 * 1024)}
    allowed = client.post("/test-upload", data=two_mb, content_type="multipart/form-data")
    assert allowed.status_code == 200 and allowed.get_json()["size"] == 2 * 1024 * 1024
    assert client.post("/login", data=two_mb, content_type="multipart/form-data").status_code == 413
    four_mb = {"file": "a" * (4 * 1024 * 1024)}
    assert client.post("/test-upload", data=four_mb, content_type="multipart/form-data").status_code == 413


def test_the_limit_comes_from_the_configuration(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, MAX_CONTENT_LENGTH=10 * 1024)
    response = app.test_client().post("/login", data={"email": "a" * 20_000})
    assert response.status_code == 413
    assert "10,2 kB" in response.get_data(as_text=True)


def test_odd_values_in_a_real_process(app, client, auth):
    process = make_process(app, slug="vreemd")
    author = make_user(app)
    issue = make_issue(app, process.id, author.id)
    assert client.get("/processes/vreemd/issues?page=%C2%B2").status_code == 400
    assert client.get("/processes/vreemd/issues", query_string={"status": "ä" * 5000, "sort": "²"}).status_code < 500
    assert client.get(f"/issues/{issue.id}?page=2").status_code == 200
    assert client.get("/processes/vreemd/issues/similar?q=" + "ä" * 5000).status_code == 200
