"""Reading numbers and pages from what a visitor sent: one way, everywhere.

Every value in a query string, a form or a path is text the visitor controls. `str.isdigit()`
accepts "²" (which `int()` refuses), `int()` turns a long run of digits into a number no database
column holds (SQLite raises OverflowError, PostgreSQL "out of range"), and PostgreSQL refuses text
with a NUL character. Each of those was a 500. So:

- views read numbers with `to_int`, `arg_int` and `page_number`, never with `int(request...)`,
  and form fields of ids use `coerce=id_choice`, not `coerce=int`;
- the guard installed by `register` answers 404 for a NUL in the path and 400 for a NUL in the
  query string or a form field, before any view runs;
- `InvalidParameter` is a 400 that names the parameter; the error handlers show it (and the API
  returns it as `{"error", "message", "parameter"}`).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from werkzeug.exceptions import BadRequest, NotFound

from app.converters import MAX_ID

MAX_PAGE = 100_000  # more pages than any list has; keeps OFFSET far inside every database's range


class InvalidParameter(BadRequest):
    """400: the query parameter `parameter` has a value this route does not accept."""

    def __init__(self, parameter: str, message: str | None = None):
        super().__init__()
        self.parameter = parameter
        self.message = message  # what to do, in the visitor's language; a general text when None


def to_int(value: object, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`value` as a whole number written with the digits 0-9, within minimum..maximum; else None.

    Accepts an int as is (bounds still apply), so form data that WTForms already coerced passes too.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(maximum)):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def id_choice(value: object) -> int:
    """`coerce=` for a form field whose choices are ids: a ValueError (the field shows "not a valid
    choice") for anything but an id a row can have, instead of a number the database cannot compare."""
    number = to_int(value if isinstance(value, int) else str(value), minimum=1)
    if number is None:
        raise ValueError(value)
    return number


def arg_int(name: str, default: int | None = None, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number from the query string: `default` when absent or empty; 400 naming `name` otherwise."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    number = to_int(raw, minimum, maximum)
    if number is None:
        raise InvalidParameter(name)
    return number


def page_number(name: str = "page") -> int:
    """The page a list is asked for (`?page=N`, 1 when absent or empty). Anything but 1..MAX_PAGE is a 400.

    `db.paginate` (app/extensions.py) uses it when no page is given; with `error_out=False` a page past
    the end is empty.
    """
    return arg_int(name, 1, minimum=1, maximum=MAX_PAGE)


def _has_nul(values: Iterable[str]) -> bool:
    return any(isinstance(value, str) and "\x00" in value for value in values)


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """No text anywhere in the platform contains NUL; PostgreSQL refuses it. Refuse it at the door."""
        if request.view_args and _has_nul(request.view_args.values()):
            raise NotFound()
        for name, values in request.args.lists():
            if "\x00" in name or _has_nul(values):
                raise InvalidParameter(name.replace("\x00", ""))
        if request.method in ("POST", "PUT", "PATCH") and _has_nul(
            value for _name, values in request.form.lists() for value in [_name, *values]
        ):
            raise BadRequest()
