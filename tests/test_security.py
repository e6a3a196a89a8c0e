"""Security defaults: headers, cookies, configuration, error pages, redirects."""

from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import Organisation
from app.extensions import db
from app.security import safe_next
from config import DevelopmentConfig, ProductionConfig, development_secret_key
from tests.conftest import make_app, make_user


def test_security_headers_on_every_page(client):
    for url in ("/", "/login", "/nope", "/healthz"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert "unsafe-inline" not in csp and "script-src" not in csp.replace("default-src", "")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # only in production


def test_pages_have_no_inline_script_or_style(client):
    for url in ("/", "/login", "/register", "/privacy", "/accessibility", "/processes"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url
        assert " on" + "click=" not in html


def test_production_sends_hsts_and_secure_cookie(database_url):
    app = create_app(
        ProductionConfig,
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "k" * 40,
            "BASE_URL": "https://doemee.example",
            "MAIL_BACKEND": "memory",
            "RATELIMIT_ENABLED": False,
        },
    )
    user = make_user(app)
    client = app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": user.password}, base_url="https://doemee.example"
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("bw_session="))
    assert SimpleCookie(header)["bw_session"]["secure"]


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            ProductionConfig,
            {"SECRET_KEY": None, "BASE_URL": "https://x.example", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        )


def test_development_creates_a_secret_key_in_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(DevelopmentConfig, {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    assert app.config["SECRET_KEY"] == key_file.read_text().strip() and len(app.config["SECRET_KEY"]) > 40
    again = create_app(DevelopmentConfig, {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert development_secret_key(str(tmp_path / "instance")) == app.config["SECRET_KEY"]


def test_config_is_read_from_the_environment(monkeypatch):
    import config

    monkeypatch.setenv("APP_CONFIG", "production")
    assert config.config_from_env() is ProductionConfig
    monkeypatch.setenv("APP_CONFIG", "nonsense")
    with pytest.raises(RuntimeError):
        config.config_from_env()
    assert config._database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/processes/buytenwegh", "/processes/buytenwegh"),
        ("/account?x=1", "/account?x=1"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(app, target, expected):
    with app.test_request_context():
        assert safe_next(target) == expected


def test_language_switch_ignores_foreign_next(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("status,url", [(404, "/bestaat-niet"), (405, "/logout")])
def test_error_pages_are_in_the_site_style(client, status, url):
    response = client.get(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert 'class="site-header"' in html and "Traceback" not in html


def test_403_page_explains_and_offers_login_link(app, client, auth):
    auth.login_as("resident")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "beheerder" in response.get_data(as_text=True)


def test_500_rolls_back_and_shows_no_stack_trace(database_url):
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.route("/_boom")
    def boom():
        db.session.add(Organisation(name="Half werk", kind="network"))
        db.session.flush()
        raise RuntimeError("secret internals")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html
    assert 'class="site-header"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def test_429_page(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_RESET="1 per minute")
    client = app.test_client()
    client.post("/password/forgot", data={"email": "a@example.org"})
    response = client.post("/password/forgot", data={"email": "a@example.org"})
    assert response.status_code == 429
    assert 'class="site-header"' in response.get_data(as_text=True)


def test_400_page_for_a_bad_request(app, client, auth):
    partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    with app.app_context():
        from app.accounts.models import Membership

        membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == partner.id))
    auth.login_as("wijkregisseur")
    response = client.post(f"/admin/memberships/{membership_id}/decide", data={"decision": "maybe"})
    assert response.status_code == 400
    assert "The browser (or proxy)" not in response.get_data(as_text=True)  # our words, in Dutch
    assert 'class="site-header"' in response.get_data(as_text=True)


def test_pages_are_not_cached_by_shared_caches(client, auth):
    assert client.get("/").headers["Cache-Control"] == "no-cache"
    auth.login_as("resident")
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_proxy_headers_are_trusted_only_when_configured(database_url):
    seen = {}
    for hops in (0, 1):
        app = make_app(database_url, TRUSTED_PROXIES=hops)

        @app.route("/_addr")
        def addr():
            from flask import request

            return f"{request.remote_addr} {request.scheme}"

        response = app.test_client().get(
            "/_addr", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        )
        seen[hops] = response.get_data(as_text=True)
    assert seen[0] == "127.0.0.1 http"
    assert seen[1] == "203.0.113.9 https"


def test_other_http_errors_use_the_site_page(database_url):
    app = make_app(database_url, MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/login", data={"email": "a@example.org", "password": "x" * 5000})
    assert response.status_code == 413
    assert 'class="site-header"' in response.get_data(as_text=True)
