"""Slowing down password guessing without letting a stranger lock the owner out.

A limit per account alone (as before) let anyone who knows an address stop its owner from logging in,
for example an alderman just before a signing deadline. So failed logins are counted three ways:

- per account and client (`RATELIMIT_LOGIN_CLIENT`, tight): slows down whoever guesses from one place
  (an IPv6 client counts by its /64, which one household or phone usually gets whole);
- per account and browser, for browsers that carry a device cookie: a stolen cookie gives no more tries;
- per account alone (`RATELIMIT_LOGIN_ACCOUNT`, a high ceiling) against guessing from many addresses.
  Past the ceiling a password is checked only in a browser that carries a device cookie for the account:
  a signed cookie set when someone logs in there (OWASP's "device cookies"). Any other browser is offered
  a login link by mail, so the owner gets in from a new device too and the guesser gets no further answer.

Only failures count, for existing and unknown addresses alike, so the limits reveal nothing. When an
account is being guessed (`LOGIN_WARNING_AFTER` failures, or a limit reached) its owner hears of it by
mail, at most once a day. The same module keeps the budget of mails that anyone can make us send to one
address (new password, confirmation, login link): past it, nothing more is sent and nothing is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many

from app.accounts import mails
from app.accounts.models import User
from app.extensions import db, limiter
from app.models_common import utcnow

DEVICE_COOKIE = "bw_device"
DEVICE_SALT = "device-cookie"
DEVICE_MAX_ACCOUNTS = 5  # a family computer: a few accounts, the most recent kept

CLIENT, ACCOUNT = "client", "account"  # why a login is refused before its password is checked


def _enabled() -> bool:
    return bool(limiter.enabled)


def _limits(config_key: str):
    return parse_many(current_app.config[config_key])


def _address_key(email: str) -> str:
    """The address as the limits know it: hashed, so the rate-limit store holds no e-mail addresses."""
    normal = (email or "").strip().lower()[:254]
    return hmac.new(_secret(), normal.encode(), hashlib.sha256).hexdigest()[:32]


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def client_key() -> str:
    """The client: its IP address (after the trusted proxies), or for IPv6 its /64 network."""
    raw = request.remote_addr or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _test(config_key: str, *identifiers: str) -> bool:
    return all(limiter.limiter.test(item, *identifiers) for item in _limits(config_key))


def _hit(config_key: str, *identifiers: str) -> bool:
    """Count one; False when this went past one of the limits."""
    results = [limiter.limiter.hit(item, *identifiers) for item in _limits(config_key)]
    return all(results)


# --- the browser's device cookie -------------------------------------------------------------


@dataclass
class Device:
    nonce: str
    accounts: list[str] = field(default_factory=list)

    def knows(self, email: str) -> bool:
        return _account_tag(email) in self.accounts


def _account_tag(email: str) -> str:
    normal = (email or "").strip().lower()
    return hmac.new(_secret(), b"device:" + normal.encode(), hashlib.sha256).hexdigest()[:16]


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _max_age() -> int:
    return int(current_app.config["DEVICE_COOKIE_DAYS"]) * 24 * 60 * 60


def current_device() -> Device | None:
    """The device cookie this browser sent, when it is ours and not too old."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 4000:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=_max_age())
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("a"), list):
        return None
    return Device(nonce=data["n"], accounts=[str(a) for a in data["a"]][:DEVICE_MAX_ACCOUNTS])


def trust_this_browser(email: str) -> None:
    """After a successful login: remember this browser for this account (set on the response)."""
    device = current_device() or Device(nonce=secrets.token_urlsafe(12))
    tag = _account_tag(email)
    device.accounts = [tag, *[a for a in device.accounts if a != tag]][:DEVICE_MAX_ACCOUNTS]
    value = _device_serializer().dumps({"n": device.nonce, "a": device.accounts})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=_max_age(),
            path="/login",  # only the login pages read it
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response


# --- failed logins ----------------------------------------------------------------------------


def login_refusal(email: str, device: Device | None) -> str | None:
    """CLIENT or ACCOUNT when this attempt must not have its password checked; None when it may."""
    if not _enabled():
        return None
    address = _address_key(email)
    if not _test("RATELIMIT_LOGIN_CLIENT", "login-client", address, client_key()):
        return CLIENT
    if device is not None and not _test("RATELIMIT_LOGIN_CLIENT", "login-device", address, device.nonce):
        return CLIENT
    trusted = device is not None and device.knows(email)
    if not trusted and not _test("RATELIMIT_LOGIN_ACCOUNT", "login-account", address):
        return ACCOUNT
    return None


def record_failed_login(email: str, device: Device | None) -> bool:
    """Count a wrong password. True when the owner should hear that their account is being guessed."""
    if not _enabled():
        return False
    address = _address_key(email)
    ok = _hit("RATELIMIT_LOGIN_CLIENT", "login-client", address, client_key())
    if device is not None:
        ok = _hit("RATELIMIT_LOGIN_CLIENT", "login-device", address, device.nonce) and ok
    ok = _hit("RATELIMIT_LOGIN_ACCOUNT", "login-account", address) and ok
    ok = _hit("LOGIN_WARNING_AFTER", "login-warning", address) and ok
    return not ok


def claim_daily_warning(email: str) -> User | None:
    """The account to warn, when it exists and had no warning in the last day; marks it warned.

    One conditional update, so two requests at once send one mail.
    """
    now = utcnow()
    normal = (email or "").strip().lower()
    claimed = db.session.execute(
        sa.update(User)
        .where(
            User.email == normal,
            User.active.is_(True),
            User.email_verified_at.is_not(None),
            sa.or_(User.login_warning_sent_at.is_(None), User.login_warning_sent_at < now - timedelta(days=1)),
        )
        .values(login_warning_sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    return db.session.scalar(sa.select(User).where(User.email == normal))


# --- mails anyone can make us send ------------------------------------------------------------


def mail_allowed(kind: str, email: str) -> bool:
    """Count a mail of this kind to this address; False once the budget is spent (then send nothing)."""
    if not _enabled():
        return True
    return _hit("RATELIMIT_ACCOUNT_MAIL", "account-mail", kind, _address_key(email))


def warn_owner(email: str) -> None:
    """Tell the owner by mail that their password is being guessed (at most once a day)."""
    user = claim_daily_warning(email)
    if user is not None:
        mails.password_being_guessed(user)
