"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
function-scoped app, client and runner, small factories and a login helper.

The app fixture does not keep an application context pushed: each request gets
its own, as in production, so nothing (the session, Flask-Login's cached user)
leaks from one request into the next. Use `with app.app_context():` in tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import TestingConfig

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "kraanvogel-fluit-oktober-7"
_counter = itertools.count(1)


def pytest_report_header(config):
    return f"database: {'PostgreSQL (' + PG_URL.split('?')[0] + ')' if PG_URL else 'SQLite'}"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: needs Chromium (Playwright)")


def make_app(database_url: str, **overrides):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": None}
    settings.update(overrides)
    return create_app(TestingConfig, settings)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """Build the schema once per session; tests copy (SQLite) or empty (PostgreSQL) it."""
    if PG_URL:
        app = make_app(PG_URL)
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            db.create_all()
            db.engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("schema") / "template.sqlite"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        db.session.remove()
        raw = db.engine.raw_connection()  # outside any transaction: fold the WAL into the file we copy
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        db.engine.dispose()
    return path


def empty_database(schema_template, folder) -> str:
    """The URL of an empty database: a copy of the SQLite template in `folder`, or PostgreSQL emptied."""
    if PG_URL:
        app = make_app(PG_URL)
        with app.app_context():
            _empty_postgres()
            db.engine.dispose()
        return PG_URL
    target = folder / "test.sqlite"
    shutil.copy(schema_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def database_url(schema_template, tmp_path):
    """An empty database for this test."""
    return empty_database(schema_template, tmp_path)


def _empty_postgres() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -----------------------------------------------------------------


def make_organisation(app, name=None, kind="welfare", sectors=("social",)):
    from app.accounts.services import create_organisation

    with app.app_context():
        org = create_organisation(name or f"Organisatie {next(_counter)}", kind, sectors)
        db.session.commit()
        return SimpleNamespace(id=org.id, name=org.name)


def make_user(
    app,
    role="resident",
    email=None,
    password=PASSWORD,
    name=None,
    org=None,
    signatory=False,
    status="approved",
    active=True,
    show_name=False,
):
    """Create an account directly in the database. `org` is an organisation name (created if missing)."""
    from app.accounts.models import Membership, User
    from app.accounts.passwords import hash_password
    from app.accounts.services import create_organisation, find_organisation

    n = next(_counter)
    with app.app_context():
        user = User(
            email=email or f"{role}{n}@example.org",
            display_name=name or f"Persoon {n}",
            role=role,
            password_hash=hash_password(password),
            active=active,
            show_name_publicly=show_name,
        )
        db.session.add(user)
        if org:
            organisation = find_organisation(org) or create_organisation(org, "welfare")
            db.session.add(Membership(user=user, organisation=organisation, status=status, is_signatory=signatory))
        db.session.commit()
        return SimpleNamespace(
            id=user.id, email=user.email, password=password, role=role, display_name=user.display_name
        )


def make_process(app, slug=None, phase="issues", name="Wijk van de toekomst Teststad", dates=None, published=True):
    """A process in a phase; published (visible to everyone) unless `published=False`."""
    from app.processes.services import ProcessData, create_process

    with app.app_context():
        process = create_process(
            ProcessData(
                name=name,
                neighbourhood="Teststad",
                slug=slug or f"proces-{next(_counter)}",
                description="Een **test**.",
                dates=dates or {},
                published=published,
            )
        )
        process.current_phase = phase
        db.session.commit()
        return SimpleNamespace(id=process.id, slug=process.slug)


class AuthActions:
    def __init__(self, app, client):
        self._app = app
        self._client = client

    def login(self, email, password=PASSWORD, follow_redirects=False):
        return self._client.post(
            "/login", data={"email": email, "password": password}, follow_redirects=follow_redirects
        )

    def login_as(self, role="resident", **kwargs):
        user = make_user(self._app, role=role, **kwargs)
        response = self.login(user.email, user.password)
        assert response.status_code == 302, response.data[:500]
        return user

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture(scope="session")
def redis_url():
    """A throwaway Redis server for this test pass (tests/redis_server.py), started when a test first asks.

    TEST_REDIS_URL uses a server started outside. Without redis-server installed the test is skipped, but
    in CI (env CI set) it fails: there `make install` has installed it.
    """
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    from tests.redis_server import RedisServer, find_binary

    if find_binary() is None:
        message = "redis-server is not installed (make install installs Debian's redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer().start()
    yield server.url
    server.stop()


@pytest.fixture
def outbox(app):
    """Mails sent through the memory backend during the test."""
    return app.extensions.setdefault("mail_outbox", [])


def make_issue(
    app,
    process_id,
    author_id,
    title="Meer licht op het fietspad",
    description=None,
    domains=("safety",),
    breadth="single",
    scale="small",
    term="short",
    place="",
    status="open",
    created_at=None,
):
    """An issue straight in the database (phase rules are the views' business, not the factory's)."""
    from app.accounts.models import User
    from app.issues.models import Issue, IssueStatusChange
    from app.issues.services import search_text

    with app.app_context():
        author = db.session.get(User, author_id)
        text = description or f"{title}. Het is er 's avonds donker en mensen voelen zich onveilig."
        issue = Issue(
            process_id=process_id,
            author_id=author_id,
            title=title,
            description=text,
            scale=scale,
            term=term,
            breadth=breadth,
            place=place,
            status=status,
            search_text=search_text(title, text),
            author_was_resident=author.role == "resident",
        )
        if created_at is not None:
            issue.created_at = created_at
        issue.set_domains(domains)
        db.session.add(issue)
        db.session.flush()
        db.session.add(IssueStatusChange(issue_id=issue.id, to_status=status))
        db.session.commit()
        return SimpleNamespace(id=issue.id, title=issue.title)


def page_text(response) -> str:
    """A page's HTML without its CSRF tokens, which are signed with the time and so differ per second."""
    import re

    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', response.get_data(as_text=True))
