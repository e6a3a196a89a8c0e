"""Registration: an account that waits until its address is confirmed.

The same answer for every address, so registering tells nobody whether an address has an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts import verification
from app.accounts.models import SELF_SERVICE_ROLES, Membership, Role, User
from app.accounts.passwords import hash_password
from app.accounts.services import check_password, find_user_by_email, normalise_email, organisation_from_choice
from app.errors import DomainError, unique_or
from app.extensions import db, select_locale
from app.models_common import utcnow


@dataclass
class Registration:
    email: str
    display_name: str
    password: str
    role: str = Role.RESIDENT.value
    organisation_id: int | None = None
    new_organisation: str = ""
    new_organisation_kind: str = ""
    accepted_privacy: bool = False


def register(data: Registration, next_path: str = "") -> User | None:
    """Make an account that waits for its address to be confirmed, and mail the link that confirms it.

    Nobody is logged in, and the answer is the same for every address: when the address already has an
    account, nothing is created or changed and the mail says so instead. The password is hashed either way,
    so neither the page nor the time it takes tells whether an address has an account. Returns the new
    account, or None.
    """
    email = normalise_email(data.email)
    name = data.display_name.strip()
    if not name:
        raise DomainError(_("Enter the name you want to use here."), "display_name")
    if data.role not in {r.value for r in SELF_SERVICE_ROLES}:
        raise DomainError(_("Choose resident or partner."), "role")
    check_password(data.password, email, name)
    if not data.accepted_privacy:
        raise DomainError(_("You can only take part if you agree with the privacy statement."), "accept_privacy")
    partner = data.role == Role.PARTNER.value
    if partner:  # the same checks for every address; the organisation is made only for a new account
        organisation_from_choice(data.organisation_id, data.new_organisation, data.new_organisation_kind, create=False)
    password_hash = hash_password(data.password)

    existing = find_user_by_email(email)
    if existing is not None and _expired_registration(existing):
        db.session.delete(existing)  # its link has expired unused: the address is free again
        db.session.flush()
        existing = None
    if existing is not None:
        verification.tell_existing_account(existing, next_path)
        return None
    user = User(
        email=email,
        display_name=name,
        password_hash=password_hash,
        role=data.role,
        privacy_accepted_at=utcnow(),
        email_verified_at=sa.null(),  # NULL, not the column's default: this one waits for confirmation
        language=select_locale(),  # the language they registered in: the confirmation mail and later ones use it
    )
    try:
        with unique_or(DomainError("taken", "email")):
            db.session.add(user)
    except DomainError:
        return None  # registered a moment ago by another request, which mailed the link
    if partner:  # the request to represent the organisation waits for the neighbourhood director
        organisation = organisation_from_choice(data.organisation_id, data.new_organisation, data.new_organisation_kind)
        db.session.add(Membership(user=user, organisation=organisation))
        db.session.flush()
    verification.send_confirmation(user, next_path)
    return user


def _expired_registration(user: User) -> bool:
    """An account never confirmed, whose confirmation link has expired: nobody ever used it."""
    if user.email_verified or user.last_login_at is not None:
        return False
    max_age = timedelta(seconds=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    return user.created_at < utcnow() - max_age
