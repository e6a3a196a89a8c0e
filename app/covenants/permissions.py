"""Who may do what with covenants (gathered by app/policy.py). Reading is open to everyone.

- Drafting (creating, editing the text, adjusting parties, opening): the neighbourhood director and
  facilitators, from phase 3 (agendas) on; opening for signature in phase 4.
- Signing: a member marked signatory of a party's organisation, or an alderman for the municipality,
  in phase 4, for a party of the open version that has not signed it yet.
- Ending: a party's signatory, while the covenant is in force.

The rules take a covenant, or a process ("may this person draft or sign covenants at all?").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.predicates import Predicate, has_role, in_phase, phase_allows, predicate, signed_in
from app.processes.models import PhaseKey

DRAFTERS = (Role.WIJKREGISSEUR, Role.FACILITATOR, Role.ADMIN)
SIGNERS = _l("Only signatories of an organisation and aldermen can sign covenants.")
WRITING = _l("Writing covenants")

role_may_draft = has_role(*DRAFTERS, reason=_l("Only the neighbourhood director and facilitators write covenants."))
role_may_open = has_role(
    *DRAFTERS, reason=_l("Only the neighbourhood director and facilitators open covenants for signature.")
)
# Covenants are drawn up from agreed agendas: in phase 3 already, and in phase 4.
drafting_phase = in_phase(PhaseKey.AGENDAS, WRITING) | in_phase(PhaseKey.COVENANTS, WRITING)


@predicate
def is_a_covenant(_user, obj) -> bool:
    return hasattr(obj, "current_version")


@predicate(reason=_l("This covenant has ended. It can no longer change."), kind="state")
def covenant_not_ended(_user, obj) -> bool:
    return not (hasattr(obj, "current_version") and obj.status == "ended")  # a process passes


@predicate(reason=SIGNERS, kind="role")
def signs_for_an_organisation(user, _obj) -> bool:
    return user.has_role(Role.PARTNER) and any(m.is_signatory for m in user.approved_memberships())


is_signatory = has_role(Role.WETHOUDER, reason=SIGNERS) | signs_for_an_organisation


@predicate(reason=_l("This covenant is not open for signature."), kind="state")
def covenant_is_open(_user, covenant) -> bool:
    return covenant.status == "open"


@predicate(
    reason=_l(
        "Signing is paused: this covenant commits municipal money or staff, and the council's latest "
        "decision does not approve this text."
    ),
    kind="state",
)
def council_allows_signing(_user, covenant) -> bool:
    from app.covenants.council_rule import council_approves

    return not covenant.commits_municipality or council_approves(covenant)


@predicate(reason=_l("You do not sign for a party of this covenant that still has to sign this version."), kind="state")
def party_still_to_sign(user, covenant) -> bool:
    from app.covenants.signing import can_sign_now

    return can_sign_now(user, covenant)


@predicate(reason=_l("Only a covenant in force can be ended."), kind="state")
def covenant_in_force(_user, covenant) -> bool:
    return covenant.status == "in_force"


@predicate(reason=_l("Only a signatory of one of its parties can end this covenant."), kind="role")
def signs_for_one_of_its_parties(user, covenant) -> bool:
    from app.covenants.signing import can_end

    return can_end(user, covenant)


# Open for signature, not paused by the council, and they sign for a party that still has to sign.
open_to_them = covenant_is_open & council_allows_signing & party_still_to_sign

rules: dict[str, Predicate] = {}

rules["covenant.draft"] = signed_in & role_may_draft & drafting_phase & covenant_not_ended
rules["covenant.open"] = signed_in & role_may_open & phase_allows("covenant.open") & covenant_not_ended
rules["covenant.sign"] = signed_in & is_signatory & phase_allows("covenant.sign") & (~is_a_covenant | open_to_them)
rules["covenant.end"] = signed_in & is_signatory & covenant_in_force & signs_for_one_of_its_parties
