"""How much a request may send: one small limit for the whole site, raised per route where needed.

`MAX_CONTENT_LENGTH` (config, 1 MB by default) bounds every request body: a larger one is refused
with 413 before it is read (werkzeug checks the Content-Length, and stops reading a body without
one at the limit). `MAX_FORM_MEMORY_SIZE` bounds each text field and `MAX_FORM_PARTS` the number of
fields; werkzeug applies those two to multipart forms only, so `FormParser` applies them to ordinary
(url-encoded) forms as well.

A route that must accept more (an upload, later) says so where it is defined::

    @bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
    @larger_body(max_content_length=20 * 1024 * 1024)
    @login_required
    def minutes(meeting_id): ...

The limit is read from the route itself when the body is parsed, so it also holds for the CSRF
check, which reads the form before any view runs (a `request.max_content_length = …` in the
view would come too late for that). A limit may also be a function of the app's config, for a
limit that follows settings (`larger_body(max_content_length=lambda config: ...)`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

from flask import Request, current_app, has_app_context
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

F = TypeVar("F", bound=Callable)
LIMITS = ("max_content_length", "max_form_memory_size", "max_form_parts")


Limit = int | Callable[[dict], int] | None  # bytes or parts, or a function of the app's config


def larger_body(
    max_content_length: Limit = None, max_form_memory_size: Limit = None, max_form_parts: Limit = None
) -> Callable[[F], F]:
    """Raise the site's request limits for one route (put it directly under `@bp.route`)."""
    wanted = {
        "max_content_length": max_content_length,
        "max_form_memory_size": max_form_memory_size,
        "max_form_parts": max_form_parts,
    }

    def decorate(view: F) -> F:
        view.request_limits = {name: value for name, value in wanted.items() if value is not None}  # type: ignore[attr-defined]
        return view

    return decorate


class FormParser(FormDataParser):
    """Applies the field-count and field-size limits to url-encoded forms too."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        body = stream.read()
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        limit = self.max_form_memory_size
        if limit is not None and len(body) > limit and any(len(part) > limit for part in body.split(b"&")):
            raise RequestEntityTooLarge()
        return super()._parse_urlencoded(io.BytesIO(body), mimetype, content_length, options)


class LimitedRequest(Request):
    """Flask's request, with the limits a route raised through `larger_body`."""

    form_data_parser_class = FormParser

    def _route_limit(self, name: str) -> int | None:
        if self.url_rule is None or not has_app_context():
            return None
        view = current_app.view_functions.get(self.url_rule.endpoint)
        limit = getattr(view, "request_limits", {}).get(name)
        return limit(current_app.config) if callable(limit) else limit

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None:
            limit = self._route_limit("max_content_length")
            if limit is not None:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        if self._max_form_memory_size is None:
            limit = self._route_limit("max_form_memory_size")
            if limit is not None:
                return limit
        return super().max_form_memory_size

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int | None:
        if self._max_form_parts is None:
            limit = self._route_limit("max_form_parts")
            if limit is not None:
                return limit
        return super().max_form_parts

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value
