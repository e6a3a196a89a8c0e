"""The OpenAPI 3.1 description of /api/v1: the one place that says what every endpoint returns.

Served at /api/v1/openapi.json. tests/test_openapi.py checks that every /api/v1 route is here (and
nothing more), and validates real responses against these schemas, so a change in app/api/views.py
that is not made here too makes the tests fail. The value lists (statuses, kinds, phases) come from
the models' enums, so they cannot drift apart.
"""

from __future__ import annotations

from functools import cache

from app.accounts.models import Sector
from app.agendas.models import HORIZONS, ActivityStatus, AgendaStatus
from app.api.params import MAX_AGE, PER_PAGE, query_parameters
from app.council.models import Outcome, PositionKind
from app.covenants.models import CovenantStatus
from app.issues.models import Breadth, IssueStatus, Scale, Term
from app.processes.models import PHASES, PhaseKey

VERSION = "1.0.0"
SERVER = "/api/v1"  # the paths below are relative to this

_DESCRIPTION = f"""\
Open data of the neighbourhood participation platform (pilot Buytenwegh, Zoetermeer): processes and \
their phases, the issues residents and partners raised, the agendas for 1, 5 and 10 years, positions \
and decisions of the municipal council, and covenants with their versions and signatures.

**Privacy.** This API never contains an e-mail address or other contact details. People appear only \
by their *public name*: their own name only when they chose to show it; otherwise the name of their \
organisation or their role (for example "resident" or "signatory of <organisation>"). Votes and \
priority points appear only as totals, and priority points only after the round has closed. Issues \
hidden by moderation or waiting for a check are never included.

**Pagination.** Lists return `{{"items", "page", "pages", "total"}}` with at most {PER_PAGE} items per page; \
ask for another page with `?page=N` (a page past the end gives an empty `items`).

**Parameters.** A query parameter whose value does not match its schema here (a page that is not a whole \
number from 1, a status that is not in the list, a malformed slug), or that is given twice, gives \
`400` with `{{"error", "message", "parameter"}}`; `parameter` names it. An empty value counts as absent. \
An id or slug in the path that does not exist gives `404`.

**Caching.** Every successful response has a strong `ETag` (the SHA-256 of the body) and \
`Cache-Control: public, max-age={MAX_AGE}` (`private` for a visitor with a session cookie, \
for example when signed in). Send the ETag back in `If-None-Match` to get `304 Not Modified` \
without a body when nothing changed. Errors are `{{"error", "message"}}` with `Cache-Control: no-store`. \
Responses vary with the `Cookie` header, because the visitor's language (kept in the session) decides \
words such as the role of a signatory.

Texts (descriptions, summaries, covenant texts) are Markdown source, in Dutch as written by participants.\
"""


def _nullable(schema: dict) -> dict:
    """The same schema, also allowing null (JSON Schema 2020-12: a list of types)."""
    result = dict(schema)
    kind = result.get("type")
    result["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
    if "enum" in result:
        result["enum"] = [*result["enum"], None]
    return result


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, optional: tuple[str, ...] = (), description: str = "") -> dict:
    """A fixed-shape object: every property required (except `optional`), nothing else allowed."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _page_of(item: str, description: str) -> dict:
    return _object(
        {
            "items": {"type": "array", "items": _ref(item), "maxItems": PER_PAGE},
            "page": {"type": "integer", "minimum": 1, "description": "This page's number."},
            "pages": {"type": "integer", "minimum": 0, "description": "The number of pages."},
            "total": {"type": "integer", "minimum": 0, "description": "The number of items on all pages."},
        },
        description=description,
    )


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


STRING = {"type": "string"}
TEXT = {"type": "string", "description": "Markdown source."}
COUNT = {"type": "integer", "minimum": 0}
ID = {"type": "integer", "minimum": 1}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri", "description": "The page on the platform (HTML)."}
HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 fingerprint of a covenant version."}
QUARTER = {"type": ["string", "null"], "pattern": "^20[0-9]{2}-Q[1-4]$"}
PUBLIC_NAME = (
    "A person's own name only when they chose to show it publicly; otherwise their organisation or role."
    " Never an e-mail address."
)


def _schemas() -> dict:
    phase_key = {"type": "string", "enum": _values(PhaseKey)}
    issue_status = {"type": "string", "enum": _values(IssueStatus)}
    horizon = {"type": "integer", "enum": list(HORIZONS), "description": "Years: 1, 5 or 10."}

    issue_summary = {
        "id": ID,
        "title": STRING,
        "status": issue_status,
        "support_count": {**COUNT, "description": "How many people support the issue (a total, never who)."},
        "comment_count": {**COUNT, "description": "Visible comments."},
        "domains": {"type": "array", "items": {"type": "string", "enum": _values(Sector)}, "uniqueItems": True},
        "scale": {"type": "string", "enum": _values(Scale)},
        "term": {"type": "string", "enum": _values(Term)},
        "breadth": {"type": "string", "enum": _values(Breadth)},
        "place": {**STRING, "description": "Where in the neighbourhood; empty when not given."},
        "created_at": DATETIME,
        "url": URL,
        "priority_points": {
            **COUNT,
            "description": "Total points of the prioritisation round; only present once the round is closed.",
        },
    }
    issue_detail = {
        **issue_summary,
        "process": {**STRING, "description": "The slug of the process."},
        "description": TEXT,
        "author": _nullable({**STRING, "description": PUBLIC_NAME}),
        "involved_organisations": {"type": "array", "items": STRING},
        "merged_into": _nullable({**ID, "description": "The issue this one was merged into (status merged)."}),
        "first_response_at": _nullable(DATETIME),
        "discussion_closed": {"type": "boolean"},
        "feedback": {
            "oneOf": [
                {"type": "null"},
                _object({"text": TEXT, "at": _nullable(DATETIME)}),
            ],
            "description": "The municipality's or moderator's feedback, if any.",
        },
        "history": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "event": {
                        "type": "string",
                        "enum": ["decision", "merged"],
                        "description": "A decision changed the status (with its reason); 'merged': another "
                        "issue was merged into this one, its status stayed.",
                    },
                    "status": issue_status,
                    "at": DATETIME,
                    "reason": STRING,
                    "merged_from": _nullable(
                        {**ID, "description": "The issue merged into this one; null when it is not shown."}
                    ),
                }
            ),
        },
        "agendas": {"type": "array", "items": _ref("Agenda")},
    }
    signature = _object(
        {
            "party": {**STRING, "description": "The organisation, or the municipality."},
            "signatory": _nullable({**STRING, "description": "The signer's name, only when they chose to show it."}),
            "role": {"type": "string", "enum": ["wethouder", "signatory"]},
            "public_name": {**STRING, "description": PUBLIC_NAME},
            "signed_at": DATETIME,
            "content_hash": HASH,
            "version": ID,
        },
        description="A signature: who signed for which party, when, and on which fingerprint.",
    )
    covenant_summary = {
        "id": ID,
        "title": STRING,
        "process": STRING,
        "status": {"type": "string", "enum": _values(CovenantStatus)},
        "version": _nullable({**ID, "description": "The current version; null while (re)drafted."}),
        "content_hash": _nullable(HASH),
        "commits_municipality": {"type": "boolean"},
        "parties": {"type": "array", "items": STRING},
        "signatures": {"type": "array", "items": _ref("Signature")},
        "in_force_since": _nullable(DATETIME),
        "ended": {
            "oneOf": [
                {"type": "null"},
                _object({"at": DATETIME, "party": STRING, "reason": STRING}),
            ]
        },
        "url": URL,
    }
    covenant_detail = {
        **covenant_summary,
        "text": TEXT,
        "agendas": {
            "type": "array",
            "items": _object({"issue_id": ID, "horizon": horizon}),
        },
        "versions": {
            "type": "array",
            "items": _object(
                {
                    "version": ID,
                    "content_hash": HASH,
                    "parties": {"type": "array", "items": STRING},
                    "opened_at": _nullable(DATETIME),
                    "superseded_at": _nullable(DATETIME),
                    "in_force_at": _nullable(DATETIME),
                    "signatures": {"type": "array", "items": _ref("Signature")},
                }
            ),
        },
    }
    return {
        "Error": _object(
            {
                "error": {**STRING, "description": "A short title."},
                "message": {**STRING, "description": "What to do."},
                "parameter": {**STRING, "description": "Only with 400: the query parameter whose value was refused."},
            },
            optional=("parameter",),
            description="An error. The texts are in the visitor's language (Dutch by default).",
        ),
        "Phase": _object({"key": phase_key, "starts_on": _nullable(DATE), "ends_on": _nullable(DATE)}),
        "Process": _object(
            {
                "slug": {**STRING, "description": "Identifies the process in other URLs."},
                "name": STRING,
                "neighbourhood": STRING,
                "current_phase": phase_key,
                "url": URL,
                "phases": {
                    "type": "array",
                    "items": _ref("Phase"),
                    "minItems": len(PHASES),
                    "maxItems": len(PHASES),
                    "description": "Every phase in order, with its dates when planned.",
                },
            }
        ),
        "ProcessPage": _page_of("Process", "A page of processes, oldest first."),
        "IssueSummary": _object(issue_summary, optional=("priority_points",)),
        "IssuePage": _page_of("IssueSummary", "A page of visible issues, newest first."),
        "Issue": _object(issue_detail, optional=("priority_points",)),
        "Activity": _object(
            {
                "title": STRING,
                "responsible": _nullable({**STRING, "description": "The responsible organisation, if chosen."}),
                "contributors": {"type": "array", "items": STRING},
                "resources": _object(
                    {
                        "euros": _nullable(COUNT),
                        "hours": _nullable(COUNT),
                        "fte": _nullable({"type": "number", "minimum": 0}),
                        "in_kind": STRING,
                    }
                ),
                "period": _object({"from": QUARTER, "to": QUARTER}),
                "indicator": STRING,
                "status": {"type": "string", "enum": _values(ActivityStatus)},
            }
        ),
        "Agenda": _object(
            {
                "horizon": horizon,
                "status": {"type": "string", "enum": _values(AgendaStatus)},
                "revision": {**COUNT, "description": "The current revision (0: nothing written yet)."},
                "agreed_revision": _nullable({**ID, "description": "The revision agreed in a consent round."}),
                "summary": TEXT,
                "review_moment": STRING,
                "success": STRING,
                "activities": {"type": "array", "items": _ref("Activity")},
            },
            description="The current revision of an agenda for 1, 5 or 10 years.",
        ),
        "CouncilPosition": _object(
            {
                "id": ID,
                "process": STRING,
                "kind": {"type": "string", "enum": _values(PositionKind)},
                "faction": _nullable({**STRING, "description": "Only for the position of a faction."}),
                "decided_on": DATE,
                "reference": {**STRING, "description": "The council's own number."},
                "title": STRING,
                "summary": TEXT,
                "outcome": {"type": "string", "enum": _values(Outcome)},
                "phase": _nullable(phase_key),
                "issues": {"type": "array", "items": ID},
                "covenants": {"type": "array", "items": ID},
                "url": URL,
            }
        ),
        "CouncilPositionPage": _page_of("CouncilPosition", "A page of council positions, newest first."),
        "Signature": signature,
        "CovenantSummary": _object(covenant_summary),
        "CovenantPage": _page_of("CovenantSummary", "A page of covenants, most recently changed first."),
        "Covenant": _object(covenant_detail),
        "OpenAPIDocument": {
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": {"openapi": {"const": "3.1.0"}, "info": {"type": "object"}, "paths": {"type": "object"}},
            "description": "This document.",
        },
    }


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}, "Cache-Control": _cache_header()},
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


def _cache_header() -> dict:
    return {"$ref": "#/components/headers/CacheControl"}


def _operation(tag: str, operation_id: str, summary: str, schema: str, parameters=(), not_found: str = "") -> dict:
    responses = {
        "200": _json(schema, "OK"),
        "304": {"$ref": "#/components/responses/NotModified"},
    }
    query = set(query_parameters())  # a value of one of these can be refused with 400
    if any(p["$ref"].rsplit("/", 1)[1] in query for p in parameters):
        responses["400"] = {
            "description": (
                "A query parameter has a value this endpoint does not accept (see its schema), or is given more"
                " than once. `parameter` names it."
            ),
            "headers": {"Cache-Control": {"$ref": "#/components/headers/NoStore"}},
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    if not_found:
        responses["404"] = {
            "description": not_found,
            "headers": {"Cache-Control": {"$ref": "#/components/headers/NoStore"}},
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return {
        "get": {
            "tags": [tag],
            "operationId": operation_id,
            "summary": summary,
            "parameters": [{"$ref": "#/components/parameters/IfNoneMatch"}, *parameters],
            "responses": responses,
        }
    }


def _parameter(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


@cache
def document() -> dict:
    """The whole OpenAPI document (built once; the value lists come from the models)."""
    parameters = {
        **query_parameters(),
        "Slug": {
            "name": "slug",
            "in": "path",
            "required": True,
            "description": "The slug of a process, as in `/processes`.",
            "schema": {"type": "string"},
        },
        "IssueId": {"name": "issue_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        "CovenantId": {"name": "covenant_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "An ETag from an earlier response: 304 without a body when the response is the same.",
            "schema": {"type": "string"},
        },
    }
    paths = {
        "/openapi.json": _operation("meta", "getOpenAPI", "This OpenAPI document", "OpenAPIDocument"),
        "/processes": _operation(
            "processes", "listProcesses", "Participation processes", "ProcessPage", [_parameter("Page")]
        ),
        "/processes/{slug}/issues": _operation(
            "issues",
            "listProcessIssues",
            "The visible issues of a process, newest first",
            "IssuePage",
            [_parameter("Slug"), _parameter("Page"), _parameter("IssueStatus")],
            not_found="No process with this slug.",
        ),
        "/issues/{issue_id}": _operation(
            "issues",
            "getIssue",
            "One issue with its history and agendas",
            "Issue",
            [_parameter("IssueId")],
            not_found="No such issue, or it is hidden or waiting for a check.",
        ),
        "/council/positions": _operation(
            "council",
            "listCouncilPositions",
            "Council decisions, motions, commitments and faction positions, newest first",
            "CouncilPositionPage",
            [_parameter("Page"), _parameter("Process")],
            not_found="No process with this slug.",
        ),
        "/covenants": _operation(
            "covenants",
            "listCovenants",
            "Covenants with their current version and signatures",
            "CovenantPage",
            [_parameter("Page"), _parameter("Process"), _parameter("CovenantStatus")],
            not_found="No process with this slug.",
        ),
        "/covenants/{covenant_id}": _operation(
            "covenants",
            "getCovenant",
            "One covenant: its text, every version and every signature",
            "Covenant",
            [_parameter("CovenantId")],
            not_found="No such covenant.",
        ),
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Wijk van de toekomst: open data",
            "version": VERSION,
            "summary": "Read-only open data of the participation platform; no e-mail addresses, public names only.",
            "description": _DESCRIPTION,
        },
        "servers": [{"url": SERVER, "description": "This site"}],
        "tags": [
            {"name": "processes", "description": "Participation processes and their phases."},
            {"name": "issues", "description": "Issues (subjects) with their status, totals, history and agendas."},
            {"name": "council", "description": "Positions and decisions of the municipal council."},
            {"name": "covenants", "description": "Covenants, their versions, fingerprints and signatures."},
            {"name": "meta", "description": "About this API."},
        ],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "parameters": parameters,
            "headers": {
                "ETag": {
                    "description": "A strong ETag: the SHA-256 of the body. Send it back in If-None-Match.",
                    "schema": {"type": "string"},
                },
                "CacheControl": {
                    "description": (
                        f"`public, max-age={MAX_AGE}` (`private, max-age={MAX_AGE}` for a visitor with a session"
                        " cookie):"
                        " lists change, so keep a copy for a minute at most."
                    ),
                    "schema": {"type": "string"},
                },
                "NoStore": {"description": "`no-store` for errors.", "schema": {"type": "string"}},
            },
            "responses": {
                "NotModified": {
                    "description": "Not modified: the If-None-Match ETag is still current. No body.",
                    "headers": {"ETag": {"$ref": "#/components/headers/ETag"}, "Cache-Control": _cache_header()},
                },
            },
        },
    }
