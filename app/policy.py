"""Who may do what, on what, in which phase. Every view and template asks here.

Each action has one rule, built from small predicates (signed in, role,
approved membership, phase). A rule returns a `Decision`: truthy when allowed,
otherwise carrying a plain-language reason and, where the phase is the reason,
when the action opens. Nothing else in the code decides permissions.

Processes, accounts and export rules live here; issues, agendas, the council, moderation and
covenants declare theirs in their own permissions modules (app/<domain>/permissions.py), which
this module gathers (`all_rules`).

Usage: ``can(current_user, "issue.propose", process)`` in views and templates,
``require("process.set_phase", process)`` in views (403 with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from flask import abort
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.models import Role
from app.processes.models import PHASE_ORDER, PhaseKey, phase_label


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    opens: str = ""  # when a phase is the reason: when it opens
    because: str = ""  # "login", "role", "membership" or "phase"

    @property
    def needs_login(self) -> bool:
        return self.because == "login"

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        return " ".join(part for part in (self.reason, self.opens) if part)


ALLOW = Decision(True)
Rule = Callable[[object, object], Decision]
RULES: dict[str, Rule] = {}

PARTICIPANTS = (Role.RESIDENT, Role.PARTNER)
MODERATORS = (Role.WIJKREGISSEUR, Role.ADMIN)
MUNICIPALITY = (Role.WIJKREGISSEUR, Role.FACILITATOR, Role.WETHOUDER)


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"rule {name!r} is defined twice")
        RULES[name] = fn
        return fn

    return register


# Each domain declares its own rules in a permissions module; they register themselves on import.
DOMAIN_RULES = (
    "app.issues.permissions",
    "app.agendas.permissions",
    "app.council.permissions",
    "app.moderation.permissions",
    "app.covenants.permissions",
)


@cache
def all_rules() -> dict[str, Rule]:
    for module in DOMAIN_RULES:
        import_module(module)
    return RULES


def can(user, action: str, obj=None) -> Decision:
    try:
        check = all_rules()[action]
    except KeyError:
        raise LookupError(f"no policy rule named {action!r}") from None
    return check(user, obj)


def require(action: str, obj=None, user=None) -> None:
    """Abort with 403 (or send to login) unless the current user may act."""
    decision = can(user if user is not None else current_user, action, obj)
    if decision:
        return
    if decision.needs_login:
        from app.extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403, description=decision.message)


# --- predicates -----------------------------------------------------------


def _signed_in(user) -> Decision:
    if user is None or not getattr(user, "is_authenticated", False):
        return Decision(False, _("Log in first."), because="login")
    return ALLOW


def _role(user, roles: tuple[Role, ...], who: str) -> Decision:
    decision = _signed_in(user)
    if not decision:
        return decision
    if not user.has_role(*roles):
        return Decision(False, who, because="role")
    return ALLOW


def _approved_partner(user) -> Decision:
    """Partners speak for an organisation, so that organisation must have confirmed them."""
    if not user.has_role(Role.PARTNER) or user.approved_memberships():
        return ALLOW
    statuses = {m.status for m in user.memberships}
    if "pending" in statuses:
        reason = _("Your membership of an organisation is waiting for approval by the neighbourhood director.")
    elif statuses:
        reason = _(
            "The neighbourhood director did not approve you as a representative of your organisation. "
            "Ask them why, or ask to represent another organisation in 'My account'."
        )
    else:
        reason = _("You do not represent an organisation yet. Choose one in 'My account'.")
    return Decision(False, reason, because="membership")


def _phase(process, key: PhaseKey, activity: str) -> Decision:
    current = process.current_phase_key
    if current == key:
        return ALLOW
    label = phase_label(key)
    if PHASE_ORDER.index(current) > PHASE_ORDER.index(key):
        return Decision(
            False,
            _("%(activity)s was possible in %(phase)s. That phase is over.", activity=activity, phase=label),
            because="phase",
        )
    phase = process.phase(key)
    if phase is not None and phase.starts_on is not None:
        opens = _(
            "It opens in %(phase)s, planned from %(date)s.", phase=label, date=format_date(phase.starts_on, "long")
        )
    else:
        opens = _("It opens in %(phase)s.", phase=label)
    return Decision(False, _("%(activity)s is not possible yet.", activity=activity), opens=opens, because="phase")


# Which phase opens which action, and how to name the activity in a refusal.
PHASE_GATES: dict[str, tuple[PhaseKey, object]] = {
    "issue.propose": (PhaseKey.ISSUES, _l("Proposing issues")),
    "issue.support": (PhaseKey.ISSUES, _l("Supporting issues")),
    "priorities.vote": (PhaseKey.ISSUES, _l("Dividing points over issues")),
    "agenda.edit": (PhaseKey.AGENDAS, _l("Writing agendas")),
    "covenant.sign": (PhaseKey.COVENANTS, _l("Signing covenants")),
    "covenant.open": (PhaseKey.COVENANTS, _l("Opening covenants for signature")),
}


def _gate(process, action: str) -> Decision:
    key, activity = PHASE_GATES[action]
    return _phase(process, key, activity)


def _all(*decisions: Callable[[], Decision]) -> Decision:
    """The first refusal, or ALLOW. Lazy, so later checks may assume earlier ones."""
    for check in decisions:
        decision = check()
        if not decision:
            return decision
    return ALLOW


# --- processes --------------------------------------------------------------


@rule("process.view")
def _process_view(user, process) -> Decision:
    return ALLOW


@rule("process.create")
def _process_create(user, _obj) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can start a process."))


@rule("process.edit")
def _process_edit(user, process) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can change the process."))


@rule("process.set_phase")
def _process_set_phase(user, process) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can change the phase."))


# --- participation by phase (the features arrive with their issues) ---------


def _process_of(obj):
    """Rules take a process, or something that belongs to one (an issue, a round)."""
    return getattr(obj, "process", None) or obj


@rule("moderation.act")
def _moderation_act(user, _obj) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can moderate."))


@rule("export.congress")
def _export_congress(user, _obj) -> Decision:
    return _role(
        user,
        (Role.FACILITATOR, Role.WIJKREGISSEUR, Role.ADMIN),
        _("Only facilitators and the neighbourhood director can export material."),
    )


# --- accounts and organisations ---------------------------------------------


@rule("account.manage")
def _account_manage(user, _obj) -> Decision:
    return _signed_in(user)


@rule("membership.request")
def _membership_request(user, _obj) -> Decision:
    return _role(user, (Role.PARTNER,), _("Only partners represent an organisation."))


@rule("membership.decide")
def _membership_decide(user, _obj) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can approve members."))


@rule("membership.set_signatory")
def _membership_set_signatory(user, _obj) -> Decision:
    return _role(user, (Role.ADMIN,), _("Only an administrator can make someone a signatory."))


@rule("admin.users")
def _admin_users(user, _obj) -> Decision:
    return _role(user, (Role.ADMIN,), _("Only an administrator can manage accounts."))


@rule("admin.organisations")
def _admin_organisations(user, _obj) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can manage organisations."))


# What the process page lists under "what you can do now".
PROCESS_ACTIONS: tuple[tuple[str, object], ...] = (
    ("issue.propose", _l("Propose an issue")),
    ("issue.support", _l("Support issues")),
    ("priorities.vote", _l("Divide your points over issues")),
    ("agenda.edit", _l("Work on the 1-, 5- and 10-year agendas")),
    ("covenant.sign", _l("Sign a covenant for your organisation")),
    ("process.set_phase", _l("Move the process to another phase")),
)


def process_actions(user, process) -> list[tuple[str, object, Decision]]:
    """The actions that concern this person: allowed, or refused for a reason they can act on.

    Actions refused only because of the person's role are left out (a resident
    need not read that only the neighbourhood director may change the phase).
    A visitor who is not signed in sees when each participation step opens.
    """
    signed_in = bool(_signed_in(user))
    rows = []
    for name, label in PROCESS_ACTIONS:
        if signed_in:
            decision = can(user, name, process)
        elif name not in PHASE_GATES or name == "covenant.sign":
            continue
        else:
            decision = _gate(process, name)
            if decision:
                decision = Decision(False, _("Log in or register to take part."), because="login")
        if decision.because != "role":
            rows.append((name, label, decision))
    return rows
