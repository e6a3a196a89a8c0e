"""Mail to the people who may sign a covenant: a new text to read and sign."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import Membership, MembershipStatus, Role, User
from app.covenants.models import MUNICIPALITY, Covenant, CovenantVersion
from app.extensions import db
from app.mail import send_after_commit
from app.security import external_url


def _signatories_of(keys) -> list[User]:
    org_ids = [int(k) for k in keys if k.isdigit()]
    conditions = []
    if org_ids:
        conditions.append(
            User.id.in_(
                sa.select(Membership.user_id).where(
                    Membership.organisation_id.in_(org_ids),
                    Membership.is_signatory.is_(True),
                    Membership.status == MembershipStatus.APPROVED.value,
                )
            )
        )
    if MUNICIPALITY in keys:
        conditions.append(User.role == Role.WETHOUDER.value)
    if not conditions:
        return []
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True), sa.or_(*conditions))))


def parties_without_signatory(keys) -> list[str]:
    """The parties nobody on the platform can sign for yet: a covenant with one never comes into force."""
    people = _signatories_of(list(keys))
    covered = {MUNICIPALITY} if any(p.role == Role.WETHOUDER.value for p in people) else set()
    for person in people:
        covered |= {str(m.organisation_id) for m in person.memberships if m.is_signatory and m.status == "approved"}
    return [key for key in keys if key not in covered]


def tell_signatories(covenant: Covenant, found: CovenantVersion, previous: CovenantVersion | None) -> None:
    """A mail to everyone who may sign: a new text to read and sign (once the change is committed)."""
    if previous is None:
        subject = _("A covenant is open for your signature: %(title)s", title=found.title)
    else:
        subject = _("The covenant '%(title)s' changed: please sign again", title=found.title)
    body = _(
        "Version %(n)d of the covenant '%(title)s' is open for signature.\n\nFingerprint: %(hash)s\n\n"
        "Read it and sign it on the platform, on the covenant's page (number %(id)d).",
        n=found.number,
        title=found.title,
        hash=found.content_hash,
        id=covenant.id,
    )
    body += "\n" + external_url("covenants.sign", covenant_id=covenant.id)  # from BASE_URL, also from the CLI
    for person in _signatories_of(found.party_keys):
        send_after_commit(person.email, subject, body)


def tell_ended(covenant: Covenant, found: CovenantVersion, party_name: str, reason: str) -> None:
    """Every party's signatories hear that a party ended the covenant, and why."""
    subject = _("The covenant '%(title)s' has ended", title=covenant.title)
    body = _(
        "%(party)s ended the covenant '%(title)s'.\n\nThe reason:\n%(reason)s",
        party=party_name,
        title=covenant.title,
        reason=reason,
    )
    body += "\n\n" + external_url("covenants.show", covenant_id=covenant.id)
    for person in _signatories_of(found.party_keys):
        send_after_commit(person.email, subject, body)
