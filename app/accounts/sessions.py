"""Server-side sessions for Flask-Login.

The signed cookie carries a random token; the database keeps its SHA-256 and
an expiry. A request is signed in only while that row exists, so logging out,
changing the password or suspending an account ends the session for real.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user

from app.accounts.models import User, UserSession
from app.extensions import db
from app.models_common import utcnow

SESSION_KEY = "sid"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_login(app, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "accounts.login"
    manager.login_message = _l("Log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    token = session.get(SESSION_KEY)
    if not token or not str(user_id).isdigit():
        return None
    return db.session.scalar(
        sa.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == _hash(token),
            User.id == int(user_id),
            UserSession.expires_at > utcnow(),
            User.active.is_(True),
        )
    )


def sign_in(user: User) -> None:
    """Start a server-side session for this browser and log the user in."""
    _fresh_session()  # no fixation of an earlier session
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    db.session.execute(  # tidy up this person's expired sessions while we are here
        sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= utcnow())
    )
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, expires_at=utcnow() + lifetime))
    user.last_login_at = utcnow()
    _remember_language(user)
    session.permanent = True
    session[SESSION_KEY] = token
    login_user(user)


def sign_out() -> None:
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(token)))
    logout_user()
    _fresh_session()


def _fresh_session() -> None:
    """Empty the cookie session but keep the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _remember_language(user: User) -> None:
    """The language chosen in this browser goes onto the account (mails are written in it); a browser
    without a choice shows the site in the account's language."""
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        user.language = chosen
    elif user.language in current_app.config["LANGUAGES"]:
        session["lang"] = user.language


def end_all_sessions(user: User) -> None:
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
