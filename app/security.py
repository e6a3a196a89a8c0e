"""Security defaults applied to every response, and the check for `next` redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request, url_for

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails, PDFs and the API: from BASE_URL, never the Host header (app/urls.py)."""
    from app.urls import absolute_url

    return absolute_url(endpoint, **values)


def safe_next(target: str | None, fallback_endpoint: str = "pages.home", **values) -> str:
    """`target` when it is a path on this site, else the fallback. Stops open redirects."""
    if target and _is_local_path(target):
        return target
    return url_for(fallback_endpoint, **values)


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SEND_HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages can show personal data: never store them in shared caches.
            headers["Cache-Control"] = "no-store" if _signed_in() else "no-cache"
        return response


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))
