"""The OpenAPI document of /api/v1: it describes every route (and only those), real responses match
its schemas, and every response has an ETag, a short public cache, and 304 on If-None-Match."""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.extensions import db
from tests.conftest import make_issue, make_process, make_user

BASE = "/api/v1"
DOC_URI = "urn:wijk:openapi"

# jsonschema checks "date" itself; "date-time" and "uri" need extra packages, so check them here.
FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value:
        raise ValueError("no time")
    return datetime.fromisoformat(value).tzinfo is not None  # always with a time zone (UTC)


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _document(client) -> dict:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _template(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /api/v1/issues/<int:issue_id> -> /issues/{issue_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(BASE))


def _operation_for(doc: dict, path: str) -> tuple[str, dict]:
    """The documented path template and GET operation that a concrete /api/v1 path matches."""
    relative = urlsplit(path).path.removeprefix(BASE)
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, relative):
            return template, item["get"]
    raise AssertionError(f"{path} is not in the OpenAPI document")


class Checker:
    """Validates responses against the schema the document gives for their path and status."""

    def __init__(self, client):
        self.client = client
        self.doc = _document(client)
        registry = Registry().with_resource(DOC_URI, Resource(contents=self.doc, specification=DRAFT202012))
        self.registry = registry
        self.seen: set[tuple[str, int]] = set()
        self.bodies: list[str] = []

    def validator(self, schema: dict) -> Draft202012Validator:
        assert set(schema) == {"$ref"} and schema["$ref"].startswith("#/components/schemas/"), schema
        return Draft202012Validator({"$ref": DOC_URI + schema["$ref"]}, registry=self.registry, format_checker=FORMATS)

    def get(self, path: str, status: int = 200):
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code)
        template, operation = _operation_for(self.doc, path)
        declared = operation["responses"].get(str(status))
        assert declared is not None, f"{template} does not document status {status}"
        schema = declared["content"]["application/json"]["schema"]
        errors = sorted(self.validator(schema).iter_errors(response.get_json()), key=lambda e: list(e.path))
        assert not errors, f"{path}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        self.seen.add((template, status))
        self.bodies.append(response.get_data(as_text=True))
        return response


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return app


# --- the document itself --------------------------------------------------------------------------


def test_the_document_is_openapi_3_1(client):
    doc = _document(client)
    assert doc["openapi"] == "3.1.0"
    assert {"title", "version", "description"} <= set(doc["info"])
    description = doc["info"]["description"].lower()
    assert "e-mail" in description and "public name" in description
    assert doc["servers"] == [{"url": BASE, "description": "This site"}]
    tag_names = {t["name"] for t in doc["tags"]}
    assert doc["paths"] and doc["components"]["schemas"]
    for template, item in doc["paths"].items():
        assert template.startswith("/") and set(item) == {"get"}, template
        operation = item["get"]
        assert set(operation["tags"]) <= tag_names and operation["operationId"] and operation["summary"]
        assert {"200", "304"} <= set(operation["responses"]), template
        names = {p["name"] for p in _resolved_parameters(doc, operation)}
        assert set(re.findall(r"\{([^}]+)\}", template)) <= names, template  # every path parameter declared
        if template.endswith("issues") or template in ("/processes", "/council/positions", "/covenants"):
            assert "page" in names, template
    for name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)  # each is valid JSON Schema 2020-12
        if schema.get("type") == "object" and name != "OpenAPIDocument":
            # fixed shapes: drift in either direction shows up
            assert schema["additionalProperties"] is False and schema["required"], name
    _every_ref_resolves(doc, doc)


def _resolved_parameters(doc: dict, operation: dict) -> list[dict]:
    result = []
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = doc["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        result.append(parameter)
    return result


def _every_ref_resolves(doc: dict, node) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                target = doc
                for part in value.removeprefix("#/").split("/"):
                    target = target[part]  # KeyError: a dangling reference
            else:
                _every_ref_resolves(doc, value)
    elif isinstance(node, list):
        for value in node:
            _every_ref_resolves(doc, value)


def test_every_api_route_is_documented_and_nothing_else(app, client):
    doc = _document(client)
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(BASE + "/"):
            routes[_template(rule.rule)] = rule
            assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, rule.rule  # read-only
    assert set(routes) == set(doc["paths"])
    for template, rule in routes.items():  # the path parameters are the view's arguments
        path_params = {p["name"] for p in _resolved_parameters(doc, doc["paths"][template]["get"]) if p["in"] == "path"}
        assert path_params == set(rule.arguments), template


# --- real responses against the schemas -----------------------------------------------------------


def test_every_endpoint_returns_what_the_document_says(demo, client):
    check = Checker(client)
    check.get(f"{BASE}/openapi.json")
    check.get(f"{BASE}/processes")
    check.get(f"{BASE}/processes?page=2")
    issues = check.get(f"{BASE}/processes/buytenwegh/issues").get_json()
    assert issues["total"] > 0 and all("priority_points" in i for i in issues["items"])  # the demo round is closed
    assert check.get(f"{BASE}/processes/buytenwegh/issues?page=2").get_json()["items"] == []
    shortlisted = check.get(f"{BASE}/processes/buytenwegh/issues?status=shortlisted").get_json()
    assert shortlisted["total"] and {i["status"] for i in shortlisted["items"]} == {"shortlisted"}
    with_agendas = 0
    for item in issues["items"]:
        detail = check.get(f"{BASE}/issues/{item['id']}").get_json()
        with_agendas += bool(detail["agendas"] and detail["agendas"][0]["activities"])
    assert with_agendas, "the demo has agendas with activities"
    positions = check.get(f"{BASE}/council/positions").get_json()
    assert positions["total"] > 0
    check.get(f"{BASE}/council/positions?process=buytenwegh")
    check.get(f"{BASE}/council/positions?page=2")
    covenants = check.get(f"{BASE}/covenants").get_json()
    assert {c["status"] for c in covenants["items"]} >= {"in_force", "open"}
    check.get(f"{BASE}/covenants?status=in_force&process=buytenwegh")
    check.get(f"{BASE}/covenants?page=2")
    for item in covenants["items"]:
        detail = check.get(f"{BASE}/covenants/{item['id']}").get_json()
        assert detail["versions"] and detail["signatures"]

    for path in (
        f"{BASE}/processes/bestaat-niet/issues",
        f"{BASE}/issues/999999",
        f"{BASE}/council/positions?process=bestaat-niet",
        f"{BASE}/covenants?process=bestaat-niet",
        f"{BASE}/covenants/999999",
    ):
        check.get(path, status=404)
    for path, parameter in (
        (f"{BASE}/processes?page=-110347", "page"),
        (f"{BASE}/processes/buytenwegh/issues?status=nonsense", "status"),
        (f"{BASE}/council/positions?process=Niet%20Geldig", "process"),
        (f"{BASE}/covenants?page=%C2%B2", "page"),
    ):
        assert check.get(path, status=400).get_json()["parameter"] == parameter

    documented = {(t, int(code)) for t, item in check.doc["paths"].items() for code in item["get"]["responses"]}
    assert {pair for pair in documented if pair[1] != 304} == check.seen  # every documented answer was tried
    assert not any("@" in body for body in check.bodies)  # no e-mail address anywhere


def test_issues_without_a_closed_round_and_with_feedback_match_too(app, client):
    from app.issues.models import Issue

    process = make_process(app, slug="klein", phase="issues")
    author = make_user(app, email="iemand@example.org", name="Geheime Naam")
    issue = make_issue(app, process.id, author.id, title="Een bankje bij de vijver")
    with app.app_context():
        found = db.session.get(Issue, issue.id)
        found.feedback = "We kijken er **deze maand** naar."
        found.feedback_at = found.created_at
        db.session.commit()
    check = Checker(client)
    item = check.get(f"{BASE}/processes/klein/issues").get_json()["items"][0]
    assert "priority_points" not in item  # no closed round: no points
    detail = check.get(f"{BASE}/issues/{issue.id}").get_json()
    assert detail["feedback"]["text"].startswith("We kijken") and detail["agendas"] == []
    assert not any("@" in body or "Geheime Naam" in body for body in check.bodies)


def test_a_schema_catches_drift(client):
    """An extra or missing property fails validation: the document is strict, not decorative."""
    check = Checker(client)
    validator = check.validator({"$ref": "#/components/schemas/Error"})
    assert validator.is_valid({"error": "Niet gevonden", "message": "Kijk het adres na."})
    assert not validator.is_valid({"error": "Niet gevonden"})
    assert not validator.is_valid({"error": "x", "message": "y", "email": "iemand@example.org"})


# --- ETag, 304 and Cache-Control ------------------------------------------------------------------


def test_responses_have_an_etag_and_a_short_public_cache(demo, client):
    import hashlib

    for path in (
        f"{BASE}/openapi.json",
        f"{BASE}/processes",
        f"{BASE}/processes/buytenwegh/issues?page=2",
        f"{BASE}/issues/1",
        f"{BASE}/council/positions",
        f"{BASE}/covenants",
        f"{BASE}/covenants/1",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        etag = response.headers["ETag"]
        assert etag == '"' + hashlib.sha256(response.get_data()).hexdigest() + '"', path  # strong, of the body
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert "Cookie" in response.headers["Vary"]

        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"", path
        assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "public, max-age=60"
        assert "Content-Type" not in again.headers
        assert client.get(path, headers={"If-None-Match": '"iets-anders"'}).status_code == 200
        assert client.get(path, headers={"If-None-Match": f'"iets-anders", {etag}'}).status_code == 304
        assert client.head(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_signed_in_visitor_gets_a_private_cache(client, auth):
    auth.login_as("resident")
    response = client.get(f"{BASE}/processes")
    assert response.status_code == 200 and response.headers.getlist("Set-Cookie")  # the session is refreshed
    assert response.headers["Cache-Control"] == "private, max-age=60" and response.headers["ETag"]
    assert "@" not in response.get_data(as_text=True)


def test_the_etag_changes_when_the_data_changes(app, client):
    process = make_process(app, slug="wijk", phase="issues")
    author = make_user(app)
    make_issue(app, process.id, author.id, title="Eerste onderwerp")
    first = client.get(f"{BASE}/processes/wijk/issues")
    make_issue(app, process.id, author.id, title="Tweede onderwerp")
    second = client.get(f"{BASE}/processes/wijk/issues", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.get_json()["total"] == 2
    assert second.headers["ETag"] != first.headers["ETag"]


def test_errors_are_never_stored(client):
    for path in (f"{BASE}/issues/999", f"{BASE}/processes/nope/issues", f"{BASE}/bestaat-niet"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
        assert set(response.get_json()) == {"error", "message"}
        assert client.get(path, headers={"If-None-Match": "*"}).status_code == 404
    refused = client.post(f"{BASE}/processes")
    assert refused.status_code in (400, 405) and refused.headers["Cache-Control"] == "no-store"


def test_pages_outside_the_api_keep_their_own_cache_rules(client):
    response = client.get("/")
    assert response.status_code == 200 and "ETag" not in response.headers
    assert response.headers["Cache-Control"] in ("no-cache", "no-store")


def test_the_document_is_the_same_json_for_every_request(client):
    one, two = client.get(f"{BASE}/openapi.json"), client.get(f"{BASE}/openapi.json")
    assert one.headers["ETag"] == two.headers["ETag"]
    assert json.loads(one.get_data()) == two.get_json()
