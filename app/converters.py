"""URL converters for every route: numbers in paths are ids the databases can hold.

Werkzeug's `int` converter accepts any run of digits, so `/issues/78916038422301098639360` reached
the view and crashed the query (SQLite and PostgreSQL store at most 2**63-1; our id columns are
32-bit on PostgreSQL). `register` replaces the `int` converter for the whole app before the
blueprints add their rules, so every `<int:…>` in every route is bounded without touching the
routes: a number outside 0..MAX_ID simply matches no route, which is a 404.
"""

from __future__ import annotations

import builtins

from flask import Flask
from werkzeug.routing import IntegerConverter, Map, ValidationError

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL (and far below SQLite's limit)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:name>` with an upper bound by default; a route can still narrow it (`<int(max=10):n>`).

    The regex stays werkzeug's `\\d+`, but a value is refused before `int()` when it has more
    digits than MAX_ID, so a 5,000-digit path costs nothing (Python refuses to parse such numbers
    since 3.11 anyway). Non-ASCII digits that `\\d` also matches (for example Arabic-Indic ones)
    are refused too: an id is written with 0-9.
    """

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        bound = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)

    def to_python(self, value: str) -> int:
        digits = value.removeprefix("-")
        if not digits.isascii() or len(digits) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def register(app: Flask) -> None:
    """Install the converters; call before the blueprints are registered (their rules bind them)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
