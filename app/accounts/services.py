"""Accounts: signing in, passwords, organisations and memberships (registration: registration.py).

Services take plain values, enforce the rules and flush; the request commits.
They raise `DomainError(message, field)` for the view to show next to a field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts import throttle
from app.accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.accounts.sessions import end_all_sessions
from app.errors import DomainError, unique_or
from app.extensions import db
from app.mail import send_mail
from app.mail.language import in_language_of
from app.models_common import utcnow
from app.notifications import events

RESET_SALT = "password-reset"


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_("Enter an e-mail address like name@example.nl."), "email") from None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def check_password(password: str, email: str, name: str, field_name: str = "password") -> None:
    problem = password_problem(password, email, name)
    if problem:
        raise DomainError(problem, field_name)


def organisation_from_choice(
    organisation_id: int | None, new_name: str = "", new_kind: str = "", create: bool = True
) -> Organisation | None:
    """The organisation a partner picked from the list, or the one they named (created if new).

    With `create=False` only the checks: None where a new organisation would be made.
    """
    if organisation_id:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or not organisation.verified:
            raise DomainError(_("Choose an organisation from the list."), "organisation_id")
        return organisation
    name = (new_name or "").strip()
    if not name:
        raise DomainError(_("Choose the organisation you represent, or fill in its name."), "organisation_id")
    existing = find_organisation(name)
    if existing is not None:
        return existing
    if new_kind not in {k.value for k in OrganisationKind}:
        raise DomainError(_("Choose what kind of organisation it is."), "new_organisation_kind")
    if not create:
        return None
    try:
        return create_organisation(name, new_kind, verified=False)
    except DomainError:
        existing = find_organisation(name)  # someone added it a moment ago: join that one
        if existing is None:
            raise
        return existing


# --- signing in ----------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The user when e-mail and password match an active account; else None, in the same time."""
    row = db.session.execute(
        sa.select(User.id, User.password_hash, User.active).where(User.email == email.strip().lower())
    ).first()
    # The hash is slow on purpose: hold no transaction (on SQLite, no write lock) while it runs.
    db.session.rollback()
    valid = verify_password(row.password_hash if row else None, password)
    if row is None or not valid or not row.active:
        return None
    return db.session.get(User, row.id)


# --- passwords -------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password changes, so a used link stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def request_password_reset(email: str, link_for) -> None:
    """Mail a reset link if the account exists. Says nothing either way."""
    try:
        email = normalise_email(email)
    except DomainError:
        return
    if not throttle.mail_allowed("reset", email):
        return  # the mails sent already still work; refusing would lock the owner out of resetting
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    link = link_for(reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with in_language_of(user):  # the account holder's language, not that of whoever asked
        body = _(
            "Hello %(name)s,\n\n"
            "Someone asked for a new password for your account on the participation platform.\n"
            "Choose a new password with this link (it works once, for %(minutes)d minutes):\n\n%(link)s\n\n"
            "Did you not ask for this? Then you can ignore this e-mail; your password stays the same.",
            name=user.display_name,
            minutes=minutes,
            link=link,
        )
        send_mail(user.email, _("Choose a new password"), body)


def user_for_reset_token(token: str) -> User:
    try:
        payload = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise DomainError(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise DomainError(_("This link is not valid. Ask for a new one.")) from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.active or payload.get("p") != _password_fingerprint(user):
        raise DomainError(_("This link has already been used or is no longer valid. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    if not user.email_verified:
        # The link came by mail, so the address is theirs; and the password anyone chose at registration
        # is gone, so confirming cannot hand someone else's account to whoever registered it.
        user.email_verified_at = utcnow()
        db.session.flush()
    return user


def change_password(user: User, current: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError(_("This is not your current password."), "current_password")
    if current == new_password:
        raise DomainError(_("Choose a password that differs from your current one."), "new_password")
    _set_password(user, new_password, field_name="new_password")


def _set_password(user: User, new_password: str, field_name: str = "password") -> None:
    check_password(new_password, user.email, user.display_name, field_name)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)  # every browser, including this one, must sign in again
    db.session.flush()


# --- profile ---------------------------------------------------------------------


def update_profile(user: User, display_name: str, show_name_publicly: bool) -> None:
    name = display_name.strip()
    if not name:
        raise DomainError(_("Enter the name you want to use here."), "display_name")
    user.display_name = name
    user.show_name_publicly = bool(show_name_publicly)
    db.session.flush()


# --- organisations and memberships ------------------------------------------------


def organisation_choices() -> list[tuple[int, str]]:
    """(id, name) of the checked organisations, for the lists people pick from."""
    return list(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(Organisation.verified.is_(True))
            .order_by(Organisation.name)
        ).tuples()
    )


def find_organisation(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.strip().lower()))


def create_organisation(name: str, kind: str, sectors=(), description: str = "", verified: bool = True) -> Organisation:
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the name of the organisation."), "name")
    if find_organisation(name) is not None:
        raise DomainError(_("There is already an organisation with this name."), "name")
    with unique_or(DomainError(_("There is already an organisation with this name."), "name")):
        organisation = Organisation(
            name=name, kind=OrganisationKind(kind).value, description=description.strip(), verified=verified
        )
        organisation.set_sectors(sectors)
        db.session.add(organisation)
    return organisation


def update_organisation(
    organisation: Organisation, name: str, kind: str, sectors, description: str, verified: bool = True
) -> None:
    name = name.strip()
    other = find_organisation(name)
    if not name:
        raise DomainError(_("Enter the name of the organisation."), "name")
    if other is not None and other.id != organisation.id:
        raise DomainError(_("There is already an organisation with this name."), "name")
    organisation.name = name
    organisation.kind = OrganisationKind(kind).value
    organisation.description = description.strip()
    organisation.verified = bool(verified)
    organisation.set_sectors(sectors)
    db.session.flush()


def find_membership(user_id: int, organisation_id: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
    )


def request_membership(user: User, organisation: Organisation) -> Membership:
    if find_membership(user.id, organisation.id) is not None:
        raise DomainError(_("You have already asked to represent this organisation."), "organisation_id")
    with unique_or(DomainError(_("You have already asked to represent this organisation."), "organisation_id")):
        membership = Membership(user=user, organisation=organisation)
        db.session.add(membership)
    return membership


def decide_membership(actor: User, membership: Membership, approve: bool) -> None:
    status = (MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED).value
    changed = membership.status != status
    membership.status = status
    if not approve:
        membership.is_signatory = False
    membership.decided_at = utcnow()
    membership.decided_by = actor
    if approve:
        membership.organisation.verified = True  # approving a member means the organisation was checked
    db.session.flush()
    if changed:  # the same decision sent twice tells the member once
        events.record(
            "membership_approved" if approve else "membership_rejected",
            actor=actor,
            membership=membership,
            organisation=membership.organisation.name,
        )


def set_signatory(membership: Membership, is_signatory: bool) -> None:
    if is_signatory and not membership.is_approved:
        raise DomainError(_("Only an approved member can be a signatory."))
    membership.is_signatory = bool(is_signatory)
    db.session.flush()


# --- administration ------------------------------------------------------------------


def update_user(actor: User, user: User, role: str, active: bool) -> None:
    role = Role(role).value
    if user.id == actor.id and (role != Role.ADMIN.value or not active):
        raise DomainError(_("You cannot take away your own administrator rights."), "role")
    user.role = role
    if user.active and not active:
        end_all_sessions(user)
    user.active = bool(active)
    db.session.flush()


@dataclass
class NewUser:
    email: str
    display_name: str
    role: str
    password: str
    organisation: str = ""
    signatory: bool = False
    check_password: bool = True


def create_user(data: NewUser) -> User:
    """Create an account directly (the CLI and the demo data use this). Memberships are approved."""
    email = normalise_email(data.email)
    role = Role(data.role).value
    if data.check_password:
        check_password(data.password, email, data.display_name)
    if find_user_by_email(email) is not None:
        raise DomainError(_("There is already an account with this e-mail address."), "email")
    user = User(
        email=email,
        display_name=data.display_name.strip(),
        role=role,
        password_hash=hash_password(data.password),
        privacy_accepted_at=utcnow(),
        email_verified_at=utcnow(),  # made by an administrator or the demo data: no confirmation needed
    )
    db.session.add(user)
    if data.organisation:
        organisation = find_organisation(data.organisation)
        if organisation is None:
            raise DomainError(_("There is no organisation with this name."), "organisation")
        db.session.add(
            Membership(
                user=user,
                organisation=organisation,
                status=MembershipStatus.APPROVED.value,
                is_signatory=data.signatory,
                decided_at=utcnow(),
            )
        )
    elif data.signatory:
        raise DomainError(_("A signatory signs for an organisation: name it."), "organisation")
    db.session.flush()
    return user
