"""Signing a covenant version for a party, and ending a covenant in force.

A signature binds a person, a party and a moment to one version's fingerprint: the form carries the
fingerprint the signer read, and a signature is refused when the version changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.accounts.models import MembershipStatus, Role, User
from app.accounts.passwords import verify_password
from app.covenants.council_rule import council_approves
from app.covenants.models import MUNICIPALITY, Covenant, CovenantStatus, CovenantVersion, Signature
from app.covenants.services import lock, missing_parties, reason_text
from app.covenants.versions import current_version
from app.errors import DomainError, unique_or
from app.extensions import db
from app.models_common import utcnow
from app.notifications import events

# --- signing -------------------------------------------------------------------------------------


def signatory_parties(user, keys) -> list[str]:
    """Which of these parties this person may sign for: an organisation through a signatory member,
    the municipality through an alderman."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return []
    allowed = set()
    if user.has_role(Role.WETHOUDER):
        allowed.add(MUNICIPALITY)
    if user.has_role(Role.PARTNER):
        allowed |= {
            str(m.organisation_id)
            for m in user.memberships
            if m.is_signatory and m.status == MembershipStatus.APPROVED.value and m.organisation.kind != "municipality"
        }
    return [key for key in keys if key in allowed]


def can_sign_now(user, covenant: Covenant) -> list[str]:
    """The parties of the open version this person may still sign for."""
    if covenant.status != CovenantStatus.OPEN.value:
        return []
    return signatory_parties(user, [p["party"] for p in missing_parties(covenant)])


def statement(version_: CovenantVersion, party_name: str, full_name: str) -> str:
    return _(
        "I, %(name)s, sign version %(n)d of the covenant '%(title)s' on behalf of %(party)s, with the "
        "fingerprint %(hash)s, and commit %(party)s to what it says.",
        name=full_name,
        n=version_.number,
        title=version_.title,
        party=party_name,
        hash=version_.content_hash,
    )


@dataclass
class SignData:
    fingerprint: str  # the version's fingerprint as shown on the form the person read
    party: str
    password: str
    full_name: str
    confirmed: bool


def sign(user: User, covenant: Covenant, data: SignData) -> Signature:
    covenant = lock(covenant)  # one signature (or change) at a time per covenant
    if covenant.status != CovenantStatus.OPEN.value:
        raise DomainError(_("This covenant is not open for signature."))
    if covenant.commits_municipality and not council_approves(covenant):  # e.g. a later rejection
        raise DomainError(
            _(
                "Signing is paused: this covenant commits municipal money or staff, and the council's latest "
                "decision does not approve this text."
            )
        )
    current = current_version(covenant)
    if current is None or data.fingerprint != current.content_hash:
        raise DomainError(
            _(
                "The covenant changed while you were reading it. Read the new version below and sign that one "
                "if you agree."
            )
        )
    if not data.password or not verify_password(user.password_hash, data.password):
        raise DomainError(_("This is not your password. Type the password you log in with."), "password")
    full_name = " ".join((data.full_name or "").split())
    if len(full_name) < 3 or not any(c.isalpha() for c in full_name):
        raise DomainError(_("Type your full name, as you would sign on paper."), "full_name")
    if data.party not in current.party_keys:
        raise DomainError(_("Choose the party you sign for."), "party")
    if data.party not in signatory_parties(user, current.party_keys):
        raise DomainError(_("You may not sign for this party."), "party")
    if any(s.party == data.party for s in current.signatures):
        raise DomainError(_("This party has already signed this version."), "party")
    if not data.confirmed:
        raise DomainError(_("Confirm the statement to sign."), "confirm")
    party_name = next(p["name"] for p in current.parties if p["party"] == data.party)
    with unique_or(DomainError(_("This party has already signed this version."), "party")):
        signature = Signature(
            version_id=current.id,
            covenant_id=covenant.id,
            party=data.party,
            party_name=party_name,
            user_id=user.id,
            signer_name=full_name[:200],
            signer_role=Role.WETHOUDER.value if data.party == MUNICIPALITY else "signatory",
            content_hash=current.content_hash,
            statement=statement(current, party_name, full_name),
            signed_at=utcnow(),
        )
        db.session.add(signature)
    db.session.refresh(current, ["signatures"])
    in_force = not missing_parties(covenant, current)
    if in_force:
        current.in_force_at = signature.signed_at
        covenant.status = CovenantStatus.IN_FORCE.value
        covenant.in_force_since = signature.signed_at
    covenant.updated_at = utcnow()
    db.session.flush()
    if in_force:
        events.record("covenant_in_force", actor=user, covenant=covenant, version=current.number, title=current.title)
    return signature


def public_signer(signature: Signature) -> str:
    """Who signed, as everyone may see it: the typed name only when the person chose to show their
    name, otherwise their role ("alderman", "signatory of <organisation>"). Never an e-mail address."""
    user = signature.user
    if user is not None and user.show_name_publicly:
        return signature.signer_name
    if signature.party == MUNICIPALITY:
        return _("alderman")
    return _("signatory of %(organisation)s", organisation=signature.party_name)


# --- ending ---------------------------------------------------------------------------------------


def can_end(user, covenant: Covenant) -> list[str]:
    """The parties this person may end the covenant for: signed parties of the version in force."""
    if covenant.status != CovenantStatus.IN_FORCE.value:
        return []
    current = current_version(covenant)
    return signatory_parties(user, current.party_keys) if current else []


def end(user: User, covenant: Covenant, party: str, reason: str) -> None:
    reason = reason_text(reason)
    covenant = lock(covenant)
    if covenant.status != CovenantStatus.IN_FORCE.value:
        raise DomainError(_("Only a covenant in force can be ended."))
    if party not in can_end(user, covenant):
        raise DomainError(_("You may not end this covenant for this party."), "party")
    current = current_version(covenant)
    covenant.status = CovenantStatus.ENDED.value
    covenant.ended_at = utcnow()
    covenant.ended_by_id = user.id
    covenant.ended_party = party
    covenant.end_reason = reason
    covenant.updated_at = covenant.ended_at
    db.session.flush()
    # Every party's signatories and members hear who ended it, and why.
    events.record(
        "covenant_ended",
        actor=user,
        covenant=covenant,
        version=current.number,
        title=covenant.title,
        party=next(p["name"] for p in current.parties if p["party"] == party),
        reason=events.quote(reason, markdown=False),  # shown as plain text on the covenant's page
    )
