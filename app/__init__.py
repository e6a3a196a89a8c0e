"""The application factory: `create_app()` builds a configured app; nothing runs at import time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import babel, csrf, db, limiter, login_manager, migrate, select_locale
from app.models_common import render_migration_type
from config import Config, config_from_env, development_secret_key

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"))
    app.config.from_object(config or config_from_env())
    if overrides:
        app.config.update(overrides)
    _ensure_secret_key(app)
    _trust_hosts(app)
    _trust_proxies(app)
    register_request_parsing(app)

    register_extensions(app)
    register_blueprints(app)
    register_mail_composers(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _ensure_secret_key(app: Flask) -> None:
    production = app.config["NAME"] == "production"
    if production and not app.config.get("BASE_URL"):
        raise RuntimeError("BASE_URL must be set in production (e.g. https://doemee.zoetermeer.nl).")
    if app.config.get("SECRET_KEY"):
        return
    if production:
        raise RuntimeError("SECRET_KEY must be set in production (an environment variable).")
    app.config["SECRET_KEY"] = development_secret_key(app.instance_path)


def _trust_hosts(app: Flask) -> None:
    """Production answers only for its own host (BASE_URL's) and the extra TRUSTED_HOSTS: 400 for others.

    Links never follow the Host header anyway (app/urls.py); this refuses such requests outright.
    """
    if app.config["NAME"] != "production":
        return
    from urllib.parse import urlsplit

    own = urlsplit(app.config["BASE_URL"]).hostname
    app.config["TRUSTED_HOSTS"] = list(dict.fromkeys([own, *(app.config.get("TRUSTED_HOSTS") or [])]))


def _trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the visitor's address and scheme from its headers (and only then)."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: write-ahead log, foreign keys enforced, wait instead of failing when busy.

    The driver's own transaction handling is switched off (isolation_level=None)
    and `_sqlite_begin` emits BEGIN, as SQLAlchemy documents: otherwise a
    SAVEPOINT outside BEGIN commits on release and a rollback undoes too little.
    """
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Requests that change something take SQLite's write lock at their first statement.

    A deferred transaction that reads and later writes fails at once with
    "database is locked" when another request committed in between (WAL does
    not wait then); taking the lock up front makes it wait its turn instead.
    Reads (GET) stay deferred and never block each other.
    """
    if connection.dialect.name != "sqlite":
        return
    writes = not has_request_context() or request.method not in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


@contextmanager
def reading(app: Flask) -> Iterator[None]:
    """Read outside a request (a CLI export) without holding SQLite's write lock.

    Outside a request `_sqlite_begin` takes the write lock at BEGIN, since commands usually write.
    Inside this block transactions begin deferred, as in a GET request. A transaction begun before
    the block is ended first: the block shares the app context's session, so it would otherwise go
    on, lock and all (then the server's writes wait, and the command's own BEGIN IMMEDIATE can wait
    past the busy timeout under steady write load: "database is locked").
    """
    db.session.close()
    with app.test_request_context(method="GET"):
        try:
            yield
        finally:
            db.session.close()


def register_request_parsing(app: Flask) -> None:
    """Bounded ids in every route, size limits per route, and the guard against NUL characters.

    Before the blueprints: their rules bind the `int` converter when they are added.
    """
    from app import converters, request_args
    from app.request_size import LimitedRequest

    converters.register(app)
    app.request_class = LimitedRequest
    request_args.register(app)


def register_extensions(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_type,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from app.accounts.sessions import init_login
    from app.issues.visibility import register as register_visibility
    from app.jobs import register as register_jobs
    from app.mail import register as register_mail
    from app.processes.visibility import register as register_process_visibility

    init_login(app, login_manager)
    register_mail(app)
    register_jobs(app)  # the queue, jobs after the commit, the scheduler thread (app/jobs)
    register_visibility(app)  # the one rule: requests see visible issues and reactions only
    register_process_visibility(app)  # and nothing of a process that is not published yet

    # Models no blueprint imports: the outbox, the scheduled runs, the notifications.
    import app.jobs.models
    import app.mail.models
    import app.notifications.models


def register_blueprints(app: Flask) -> None:
    from app.accounts.admin import bp as admin_bp
    from app.accounts.views import bp as accounts_bp
    from app.agendas.group_views import bp as working_bp
    from app.agendas.views import bp as agendas_bp
    from app.api.views import bp as api_bp
    from app.council.views import bp as council_bp
    from app.covenants.drafting_views import bp as covenant_drafting_bp
    from app.covenants.views import bp as covenants_bp
    from app.dashboard.views import bp as dashboard_bp
    from app.exports.views import bp as exports_bp
    from app.issues.attachment_views import bp as attachments_bp
    from app.issues.comment_views import bp as comments_bp
    from app.issues.priority_views import bp as priorities_bp
    from app.issues.thread_views import bp as threads_bp
    from app.issues.views import bp as issues_bp
    from app.mail.admin_views import bp as admin_mail_bp
    from app.mine.views import bp as mine_bp
    from app.moderation.balance_views import bp as balance_bp
    from app.moderation.views import bp as moderation_bp
    from app.notifications.unsubscribe_views import bp as unsubscribe_bp
    from app.notifications.views import bp as notifications_bp
    from app.pages.views import bp as pages_bp
    from app.processes.views import bp as processes_bp

    for blueprint in (
        pages_bp,
        accounts_bp,
        admin_bp,
        admin_mail_bp,
        processes_bp,
        issues_bp,
        comments_bp,
        threads_bp,
        attachments_bp,
        priorities_bp,
        agendas_bp,
        working_bp,
        council_bp,
        covenants_bp,
        covenant_drafting_bp,
        moderation_bp,
        balance_bp,
        exports_bp,
        dashboard_bp,
        mine_bp,
        notifications_bp,
        unsubscribe_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)


def register_mail_composers(app: Flask) -> None:
    """Notification mails and digests are written when they are sent, from the notifications they tell of."""
    from app.mail import set_composers
    from app.notifications.mails import compose

    set_composers(app, {"notification": compose, "digest": compose})


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from app.security import register
    from app.submissions import register as register_submissions

    register(app)
    register_submissions(app)  # a form sent twice shows what the first one made


def register_template_helpers(app: Flask) -> None:
    from app.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


__all__ = ["create_app", "reading"]
