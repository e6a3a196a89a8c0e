"""Confirming an e-mail address, and logging in with a link by mail.

Registration never logs anyone in: it mails a link that confirms the address and then logs the person in.
Both links are signed and expire; a confirmation link is bound to the account's address and password, a
login link also to the moment of the last login, so it works once. Opening a link shows a page with one
button; only that POST changes anything, so a mail scanner that opens links changes nothing, and another
site cannot log a visitor into someone else's account.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts import mails, throttle
from app.accounts.models import User
from app.accounts.services import find_user_by_email, reset_token
from app.errors import DomainError
from app.extensions import db
from app.models_common import utcnow
from app.security import safe_next
from app.urls import absolute_url

CONFIRM_SALT = "email-confirm"
LOGIN_LINK_SALT = "login-link"
MAX_NEXT = 500


@dataclass
class LinkTarget:
    user: User
    next_path: str


def clean_next(target: str | None) -> str:
    """`target` when it is a path on this site (kept in links and forms), else empty."""
    target = (target or "").strip()
    if not target or len(target) > MAX_NEXT:
        return ""
    return target if safe_next(target) == target else ""


def _fingerprint(user: User) -> str:
    # Changes with the password or the address, so a link stops working after either changes.
    return hashlib.sha256(f"{user.email}\n{user.password_hash}".encode()).hexdigest()[:20]


def _last_login_mark(user: User) -> int:
    return int(user.last_login_at.timestamp() * 1_000_000) if user.last_login_at else 0


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise DomainError(_("This link is not valid. Ask for a new one.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise DomainError(_("This link is not valid. Ask for a new one."))
    return payload


def _user_of(payload: dict) -> User:
    user = db.session.get(User, payload["u"])
    if user is None or not user.active or payload.get("p") != _fingerprint(user):
        raise DomainError(_("This link has already been used or is no longer valid. Ask for a new one."))
    return user


# --- confirming the address --------------------------------------------------------------------


def confirm_link(user: User, next_path: str = "") -> str:
    token = _serializer(CONFIRM_SALT).dumps({"u": user.id, "p": _fingerprint(user), "n": clean_next(next_path)})
    return absolute_url("accounts.confirm_email", token=token)


def read_confirm_token(token: str) -> LinkTarget:
    payload = _load(CONFIRM_SALT, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    return LinkTarget(user=_user_of(payload), next_path=clean_next(payload.get("n")))


def mark_confirmed(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()


def send_confirmation(user: User, next_path: str = "") -> None:
    if throttle.mail_allowed("confirm", user.email):
        mails.confirm_address(user, confirm_link(user, next_path))


def tell_existing_account(user: User, next_path: str = "") -> None:
    """Someone registered with this address again: say so, and how to get in. Changes nothing."""
    if not throttle.mail_allowed("confirm", user.email):
        return
    if user.email_verified:
        mails.already_registered(user, clean_next(next_path))
    elif user.active:
        # Not the confirmation link: whoever made the waiting account chose its password, and that may not be
        # the person reading this mail. Choosing a password replaces it and confirms the address as well.
        mails.still_waiting(user, absolute_url("accounts.reset_password", token=reset_token(user)))


def resend_confirmation(email: str, next_path: str = "") -> None:
    """Mail the confirmation link again when this address has an account waiting for it. Says nothing."""
    user = _find(email)
    if throttle.mail_allowed("confirm", email) and user is not None and user.active and not user.email_verified:
        mails.confirm_address(user, confirm_link(user, next_path))


def _find(email: str) -> User | None:
    normal = (email or "").strip().lower()
    return find_user_by_email(normal) if normal and len(normal) <= 254 else None


# --- logging in with a link ------------------------------------------------------------------------


def login_link(user: User, next_path: str = "") -> str:
    token = _serializer(LOGIN_LINK_SALT).dumps(
        {"u": user.id, "p": _fingerprint(user), "l": _last_login_mark(user), "n": clean_next(next_path)}
    )
    return absolute_url("accounts.login_with_link", token=token)


def send_login_link(email: str, next_path: str = "") -> None:
    """Mail a login link when this address has an account (a confirmation link while it waits for one)."""
    user = _find(email)
    if not throttle.mail_allowed("login-link", email) or user is None or not user.active:
        return
    if user.email_verified:
        mails.login_link(user, login_link(user, next_path))
    else:
        mails.confirm_address(user, confirm_link(user, next_path))


def read_login_link(token: str) -> LinkTarget:
    payload = _load(LOGIN_LINK_SALT, token, current_app.config["LOGIN_LINK_MAX_AGE"])
    user = _user_of(payload)
    if payload.get("l") != _last_login_mark(user) or not user.email_verified:
        raise DomainError(_("This link has already been used or is no longer valid. Ask for a new one."))
    return LinkTarget(user=user, next_path=clean_next(payload.get("n")))
