"""The unbound extensions, created once and bound in `create_app`.

Nothing here imports from the domains, which keeps import cycles away.
"""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.request_args import page_number

# Stable constraint names, so Alembic migrations name things the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


DEFAULT_PER_PAGE = 20


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, with `paginate` reading the page only through app/request_args.py.

    Flask-SQLAlchemy itself reads `?page=` and `?per_page=` as any number: a `per_page` without a
    maximum, and pages whose OFFSET no database holds (a 500). Here a page that is not given comes
    from `page_number()` (400 for anything but 1..MAX_PAGE), and `per_page` never comes from the request.
    """

    def paginate(self, select, *, page=None, per_page=None, max_per_page=None, error_out=True, count=True):
        if page is None:
            page = page_number() if has_request_context() else 1
        return super().paginate(
            select,
            page=page,
            per_page=per_page or DEFAULT_PER_PAGE,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )


db = Database(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """The visitor's chosen language, else Dutch (the platform is Dutch first)."""
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
