"""Error pages in the site's style, and the domain error that services raise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db
from app.templating import file_size


class DomainError(Exception):
    """A rule of the domain was not met. `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@contextmanager
def unique_or(error: DomainError) -> Iterator[None]:
    """Add and flush inside a savepoint: losing a race on a unique constraint raises `error`, not a 500.

    Create the new objects inside the block: entering it flushes what is pending.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise error from None


def apply_to_form(form, error: DomainError) -> None:
    """Show a service's error next to its field (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _render(status: int, title: str, message: str, parameter: str | None = None):
    if _wants_json():
        body = {"error": title, "message": message}
        if parameter is not None:
            body["parameter"] = parameter
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            _("The form has expired"),
            _("For your safety a form only works for a limited time. Go back, reload the page and try again."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        """A Host header the site does not answer for (TRUSTED_HOSTS, production): a short answer without links,
        since no address can be built for that host (app/urls.py)."""
        return "400 Bad Request: unknown host name.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(400)
    def bad_request(error):
        parameter = getattr(error, "parameter", None)
        if parameter is not None:  # an InvalidParameter (app/request_args.py): say which value
            message = getattr(error, "message", None) or _(
                "The address contains a value that this page cannot use (%(parameter)s). Check the address, or"
                " start again from the home page.",
                parameter=parameter,
            )
            return _render(400, _("Something is wrong with this request"), message, parameter=parameter)
        # werkzeug's own description is English and technical: always use our words
        return _render(400, _("Something is wrong with this request"), _("Go back, reload the page and try again."))

    @app.errorhandler(403)
    def forbidden(error):
        description = getattr(error, "description", "")
        if not description or description.startswith("You don't have the permission"):
            description = _("You may not do this.")
        return _render(403, _("This is not possible"), description)

    @app.errorhandler(404)
    def not_found(error):
        return _render(
            404,
            _("Page not found"),
            _("This page does not exist (any more). Check the address, or start again from the home page."),
        )

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _render(405, _("This is not possible"), _("This page cannot be used in this way."))

    @app.errorhandler(413)
    def too_large(error):
        limit = request.max_content_length
        message = _("Make your text shorter or send a smaller file, and try again.")
        if limit:
            message = _("This page accepts at most %(size)s.", size=file_size(limit)) + " " + message
        return _render(413, _("What you sent is too large"), message)

    @app.errorhandler(429)
    def too_many(error):
        return _render(
            429,
            _("Too many attempts"),
            _("You tried this too often in a short time. Wait a few minutes and try again."),
        )

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        if error.code is None or error.code < 400:
            return error
        return _render(error.code, _("This is not possible"), _("Go back and try again."))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(
            500,
            _("Something went wrong on our side"),
            _(
                "Nothing you did caused this. Try again later. If it keeps happening, let the neighbourhood director know."  # noqa: E501
            ),
        )
