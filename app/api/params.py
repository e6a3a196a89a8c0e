"""What /api/v1 promises apart from its bodies: the page size, how long a response may be kept, and the
query parameters: how they are read, and how the OpenAPI document describes them.

The views (app/api/views.py) and the document (app/api/openapi.py) both take these from here, so they
cannot drift apart: a value that breaks the schema given in
`query_parameters()` is refused by the reader below with 400 and `{"error", "message", "parameter"}`
(app/errors.py). An empty value counts as absent; a parameter given twice is refused.
"""

from __future__ import annotations

from flask import abort, request
from flask_babel import format_number
from flask_babel import gettext as _

from app.covenants.models import CovenantStatus
from app.issues.models import IssueStatus
from app.processes.services import SLUG_RE, get_process
from app.request_args import MAX_PAGE, InvalidParameter, to_int

PER_PAGE = 50
MAX_AGE = 60  # seconds a response may be kept (Cache-Control): lists change, so a short time
SLUG_MAX_LENGTH = 60  # Process.slug


def _query(name: str) -> str:
    """The one value of a query parameter ("" when absent or empty). Given twice is a 400 naming it."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(name, _("Give the parameter %(parameter)s only once.", parameter=name))
    return values[0] if values else ""


def page_number() -> int:
    """`?page=N`: 1 when absent; anything but a whole number from 1 to MAX_PAGE is a 400 naming `page`."""
    raw = _query("page")
    if raw == "":
        return 1
    number = to_int(raw, minimum=1, maximum=MAX_PAGE)
    if number is None:
        raise InvalidParameter(
            "page", _("page must be a whole number from 1 to %(maximum)s.", maximum=format_number(MAX_PAGE))
        )
    return number


def choice(name: str, allowed: list[str]) -> str:
    """A query parameter that must be one of `allowed` ("" when absent), else a 400 naming it."""
    raw = _query(name)
    if raw and raw not in allowed:
        raise InvalidParameter(
            name, _("%(parameter)s must be one of: %(values)s.", parameter=name, values=", ".join(allowed))
        )
    return raw


def process_filter() -> int | None:
    """`?process=slug`: the process's id, None when absent; a malformed slug is a 400, an unknown one a 404."""
    slug = _query("process")
    if not slug:
        return None
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_RE.fullmatch(slug):
        raise InvalidParameter(
            "process", _("process must be the slug of a process: small letters, digits and hyphens.")
        )
    process = get_process(slug)
    if process is None:
        abort(404)
    return process.id


def query_parameters() -> dict:
    """The OpenAPI descriptions of the query parameters read above (components/parameters)."""
    return {
        "Page": {
            "name": "page",
            "in": "query",
            "required": False,
            "description": (
                f"The page number ({PER_PAGE} items per page), a whole number from 1 to {MAX_PAGE}. A page past"
                " the end gives an empty `items`; any other value gives 400."
            ),
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        },
        "Process": {
            "name": "process",
            "in": "query",
            "required": False,
            "description": "Only this process (its slug). An unknown slug gives 404, a malformed one 400.",
            "schema": {"type": "string", "pattern": SLUG_RE.pattern, "maxLength": SLUG_MAX_LENGTH},
        },
        "IssueStatus": {
            "name": "status",
            "in": "query",
            "required": False,
            "description": "Only issues with this status. Any other value gives 400.",
            "schema": {"type": "string", "enum": [s.value for s in IssueStatus]},
        },
        "CovenantStatus": {
            "name": "status",
            "in": "query",
            "required": False,
            "description": "Only covenants with this status. Any other value gives 400.",
            "schema": {"type": "string", "enum": [s.value for s in CovenantStatus]},
        },
    }
