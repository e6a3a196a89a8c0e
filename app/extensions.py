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


db = SQLAlchemy(model_class=Base)
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
