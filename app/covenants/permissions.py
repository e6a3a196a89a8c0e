"""Who may do what with covenants (gathered by app/policy.py). Reading is open to everyone.

- Drafting (creating, editing the text, adjusting parties, opening): the neighbourhood director and
  facilitators, from phase 3 (agendas) on; opening for signature in phase 4.
- Signing: a member marked signatory of a party's organisation, or an alderman for the municipality,
  in phase 4, for a party of the open version that has not signed it yet.
- Ending: a party's signatory, while the covenant is in force.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import Role
from app.policy import (
    ALLOW,
    Decision,
    _all,
    _gate,
    _phase,
    _process_of,
    _role,
    _signed_in,
    rule,
)
from app.processes.models import PhaseKey

DRAFTERS = (Role.WIJKREGISSEUR, Role.FACILITATOR, Role.ADMIN)


def _is_covenant(obj) -> bool:
    return hasattr(obj, "current_version")


def _drafting_phase(process) -> Decision:
    """Covenants are drawn up from agreed agendas: in phase 3 already, and in phase 4."""
    if process.current_phase_key == PhaseKey.AGENDAS:
        return ALLOW
    return _phase(process, PhaseKey.COVENANTS, _("Writing covenants"))


def _not_ended(obj) -> Decision:
    if _is_covenant(obj) and obj.status == "ended":
        return Decision(False, _("This covenant has ended. It can no longer change."), because="state")
    return ALLOW


@rule("covenant.draft")
def _covenant_draft(user, obj) -> Decision:
    """Create a covenant, edit its text and parties (obj: a process or a covenant)."""
    return _all(
        lambda: _role(user, DRAFTERS, _("Only the neighbourhood director and facilitators write covenants.")),
        lambda: _drafting_phase(_process_of(obj)),
        lambda: _not_ended(obj),
    )


@rule("covenant.open")
def _covenant_open(user, covenant) -> Decision:
    return _all(
        lambda: _role(
            user, DRAFTERS, _("Only the neighbourhood director and facilitators open covenants for signature.")
        ),
        lambda: _gate(_process_of(covenant), "covenant.open"),
        lambda: _not_ended(covenant),
    )


def _signatory(user) -> Decision:
    if user.has_role(Role.WETHOUDER):
        return ALLOW
    if user.has_role(Role.PARTNER) and any(m.is_signatory for m in user.approved_memberships()):
        return ALLOW
    return Decision(False, _("Only signatories of an organisation and aldermen can sign covenants."), because="role")


def _party_to_sign(user, covenant) -> Decision:
    from app.covenants.council_rule import council_approves
    from app.covenants.signing import can_sign_now

    if covenant.status != "open":
        return Decision(False, _("This covenant is not open for signature."), because="state")
    if covenant.commits_municipality and not council_approves(covenant):
        return Decision(
            False,
            _(
                "Signing is paused: this covenant commits municipal money or staff, and the council's latest "
                "decision does not approve this text."
            ),
            because="state",
        )
    if not can_sign_now(user, covenant):
        return Decision(
            False,
            _("You do not sign for a party of this covenant that still has to sign this version."),
            because="state",
        )
    return ALLOW


@rule("covenant.sign")
def _covenant_sign(user, obj) -> Decision:
    """obj: a process (may this person sign covenants now?) or a covenant (may they sign this one?)."""
    return _all(
        lambda: _signed_in(user),
        lambda: _signatory(user),
        lambda: _gate(_process_of(obj), "covenant.sign"),
        lambda: _party_to_sign(user, obj) if _is_covenant(obj) else ALLOW,
    )


@rule("covenant.end")
def _covenant_end(user, covenant) -> Decision:
    from app.covenants.signing import can_end

    def party() -> Decision:
        if covenant.status != "in_force":
            return Decision(False, _("Only a covenant in force can be ended."), because="state")
        if not can_end(user, covenant):
            return Decision(False, _("Only a signatory of one of its parties can end this covenant."), because="role")
        return ALLOW

    return _all(lambda: _signed_in(user), lambda: _signatory(user), party)
