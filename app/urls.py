"""Absolute links (in e-mails, PDFs and the API) come from BASE_URL, never from the request.

The Host header is whatever the visitor sends: a link built from it (`url_for(..., _external=True)`
or `request.host_url`) inside someone's request would carry that host into a mail for somebody else.
`absolute_url` builds every absolute link from the configured BASE_URL (scheme, host and an optional
path prefix), inside or outside a request, so jobs and CLI commands get the same links.

The host check itself is `TRUSTED_HOSTS` (app/__init__.py): in production a request for another host
gets 400 before any view runs.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"  # `make run` serves here


def base_url() -> str:
    """The site's public address without a trailing slash (production requires BASE_URL)."""
    return (current_app.config.get("BASE_URL") or DEVELOPMENT_BASE_URL).rstrip("/")


def base_host() -> str:
    """The host (and port, if any) of BASE_URL."""
    return urlsplit(base_url()).netloc


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """The absolute address of `endpoint` on this site, like `url_for(..., _external=True)` but from BASE_URL."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, {k: v for k, v in values.items() if v is not None}, force_external=True)
    if _anchor:
        url += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
    return url
