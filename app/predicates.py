"""Small, named predicates that compose into one-line permission rules, each carrying its reason.

A predicate is asked ``predicate(user, obj)`` and answers with a `Decision`: truthy when allowed,
otherwise falsy with a plain-language reason, when a phase is the reason also when the action opens,
and the kind of refusal (``because``: "login", "role", "membership", "phase" or "state") that pages
use to choose what to show. Reasons are written with ``lazy_gettext`` and translated when a rule is
asked, so a refusal speaks the visitor's language.

The domains' permissions modules (app/<domain>/permissions.py) declare each rule as one line,
and app/policy.py gathers them::

    role_may_propose = has_role(*PARTICIPANTS, reason=_l("Only residents and partners can propose issues."))
    role_may_support = has_role(*PARTICIPANTS, reason=_l("Only residents and partners can support issues."))
    issue_is_live = issue_is_open & issue_is_shown

    rules["issue.propose"] = signed_in & role_may_propose & partner_approved & phase_allows("issue.propose")
    rules["issue.support"] = (
        signed_in & role_may_support & partner_approved & phase_allows("issue.support") & issue_is_live
    )

The predicates every domain uses live here: `signed_in`, `has_role(*roles, reason=…)`, `is_moderator`,
`is_admin`, `partner_approved`, `is_author(reason=…)`, `in_phase`, `phase_allows(action)` and
`phase_reached(action)` (with `PHASE_GATES`, which phase opens which action). Predicates about one
domain's objects (`issue_is_open`, `in_working_group`, `covenant_is_open`, …) live in its module.

Composition, and which reason a refused rule gives
---------------------------------------------------
``a & b``   both must allow. Asked left to right and lazily: ``b`` is only asked when ``a`` allows, so
            ``b`` may assume ``a`` (after ``signed_in``, ``user.has_role`` is safe). Refused: the refusal of
            the FIRST part that refuses. Put the parts in the order a person meets them (log in, role,
            membership, phase, the object's state), so the reason is the first thing they can act on.

``a | b``   one of them must allow. Lazy as well: ``b`` is only asked when ``a`` refuses. Refused: the
            refusal of the LAST alternative. Write the special case first and the general case last
            (``is_moderator & … | rules["consent.answer"]``): everybody the special case does not
            concern gets the general rule's reason, as if the special case were not there.

``~a``      allowed exactly when ``a`` refuses. Its refusal has no reason of its own, so use it inside
            ``|`` (``~is_a_covenant | covenant_is_open`` reads "only a covenant must be open; a process
            passes") or give it one with ``.because``.

``a.because(reason, kind=None)``  ``a``, whose refusal says ``reason`` instead (the whole message: a
            "when it opens" of the parts is dropped), of the given kind or else of the kind of the
            refusal it replaces. Put it on the part it explains, not around ``signed_in``, or a visitor
            is no longer sent to the login page::

                signed_in & is_moderator.because(_l("Only the neighbourhood director can change the phase."))
                (round_is_closed | results_shown_while_open | is_moderator).because(
                    _l("The results are shown when the round closes."), kind="state")

Make a domain predicate with the `predicate` decorator, from ``fn(user, obj)`` returning a bool (the
refusal carries the decorator's reason and kind) or a `Decision` (for a reason that depends on the case)::

    @predicate(reason=_l("The discussion of this issue is closed."), kind="state")
    def discussion_open(user, issue) -> bool:
        return not getattr(issue, "discussion_locked", False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.processes.models import PHASE_ORDER, PhaseKey, phase_label


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    opens: str = ""  # when a phase is the reason: when it opens
    because: str = ""  # "login", "role", "membership", "phase", "state" or "unpublished"

    @property
    def needs_login(self) -> bool:
        return self.because == "login"

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        return " ".join(part for part in (self.reason, self.opens) if part)


ALLOW = Decision(True)
_NO_REASON = Decision(False)

PARTICIPANTS = (Role.RESIDENT, Role.PARTNER)
MODERATORS = (Role.WIJKREGISSEUR, Role.ADMIN)
MUNICIPALITY = (Role.WIJKREGISSEUR, Role.FACILITATOR, Role.WETHOUDER)

Check = Callable[[object, object], Decision]


class Predicate:
    """A named check of (user, obj) that answers with a `Decision`; combine with ``&``, ``|``, ``~``."""

    __slots__ = ("_check", "name")

    def __init__(self, check: Check, name: str) -> None:
        self._check = check
        self.name = name

    def __call__(self, user, obj=None) -> Decision:
        return self._check(user, obj)

    def __and__(self, other: Predicate) -> Predicate:
        return _All(self, other)

    def __or__(self, other: Predicate) -> Predicate:
        return _Any(self, other)

    def __invert__(self) -> Predicate:
        return _Not(self)

    def because(self, reason, kind: str | None = None) -> Predicate:
        """This predicate, refusing with `reason` (a lazy string) and, if given, of `kind`."""
        return _Because(self, reason, kind)

    def __repr__(self) -> str:
        return self.name


class _All(Predicate):
    __slots__ = ("parts",)

    def __init__(self, *parts: Predicate) -> None:
        self.parts = tuple(q for p in parts for q in (p.parts if isinstance(p, _All) else (p,)))
        super().__init__(self._first_refusal, " & ".join(_grouped(p, _Any) for p in self.parts))

    def _first_refusal(self, user, obj) -> Decision:
        for part in self.parts:
            decision = part(user, obj)
            if not decision:
                return decision
        return ALLOW


class _Any(Predicate):
    __slots__ = ("parts",)

    def __init__(self, *parts: Predicate) -> None:
        self.parts = tuple(q for p in parts for q in (p.parts if isinstance(p, _Any) else (p,)))
        super().__init__(self._first_allowed, " | ".join(_grouped(p, _All) for p in self.parts))

    def _first_allowed(self, user, obj) -> Decision:
        decision = _NO_REASON
        for part in self.parts:
            decision = part(user, obj)
            if decision:
                return decision
        return decision  # the last alternative's refusal


class _Not(Predicate):
    __slots__ = ("inner",)

    def __init__(self, inner: Predicate) -> None:
        self.inner = inner
        super().__init__(self._opposite, f"~{_grouped(inner, _All, _Any)}")

    def _opposite(self, user, obj) -> Decision:
        return _NO_REASON if self.inner(user, obj) else ALLOW


class _Because(Predicate):
    __slots__ = ("inner", "kind", "reason")

    def __init__(self, inner: Predicate, reason, kind: str | None) -> None:
        self.inner, self.reason, self.kind = inner, reason, kind
        super().__init__(self._explained, f"{_grouped(inner, _All, _Any)}.because(…)")

    def _explained(self, user, obj) -> Decision:
        decision = self.inner(user, obj)
        if decision:
            return decision
        return Decision(False, str(self.reason), because=self.kind or decision.because)


def _grouped(p: Predicate, *kinds: type) -> str:
    return f"({p.name})" if isinstance(p, kinds) else p.name


def predicate(fn: Callable | None = None, /, *, reason=None, kind: str = "state"):
    """Make a `Predicate` named after `fn(user, obj)`.

    `fn` returns a `Decision`, or a bool: then a refusal carries `reason` (a lazy string) and `kind`.
    Use as ``@predicate`` or ``@predicate(reason=_l("…"), kind="state")``.
    """

    def make(fn: Callable) -> Predicate:
        def check(user, obj) -> Decision:
            answer = fn(user, obj)
            if isinstance(answer, Decision):
                return answer
            if answer:
                return ALLOW
            return Decision(False, str(reason) if reason is not None else "", because=kind)

        return Predicate(check, fn.__name__)

    return make(fn) if fn is not None else make


# --- who ------------------------------------------------------------------------------------------


def _authenticated(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


@predicate
def signed_in(user, _obj) -> Decision:
    if not _authenticated(user):
        return Decision(False, _("Log in first."), because="login")
    return ALLOW


def has_role(*roles: Role, reason) -> Predicate:
    """The person has one of `roles`; a refusal (kind "role") says `reason`. Safe for visitors, who are refused."""

    def check(user, _obj) -> Decision:
        if _authenticated(user) and user.has_role(*roles):
            return ALLOW
        return Decision(False, str(reason), because="role")

    return Predicate(check, f"has_role({', '.join(r.value for r in roles)})")


is_moderator = has_role(*MODERATORS, reason=_l("Only the neighbourhood director can moderate."))
is_admin = has_role(Role.ADMIN, reason=_l("Only an administrator can manage accounts."))


@predicate
def partner_approved(user, _obj) -> Decision:
    """Partners speak for an organisation, so that organisation must have confirmed them (others pass)."""
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


def is_author(*, reason) -> Predicate:
    """The person wrote the object (an issue or a reaction); a refusal (kind "role") says `reason`."""

    def check(user, obj) -> Decision:
        return ALLOW if obj.author_id == user.id else Decision(False, str(reason), because="role")

    return Predicate(check, "is_author")


# --- when -----------------------------------------------------------------------------------------


def process_of(obj):
    """Rules take a process, or something that belongs to one: directly (an issue, a round, a covenant)
    or through its issue (an agenda, which has a horizon)."""
    if hasattr(obj, "horizon"):
        return obj.issue.process
    return getattr(obj, "process", None) or obj


# Which phase opens which action, and how to name the activity in a refusal.
PHASE_GATES: dict[str, tuple[PhaseKey, object]] = {
    "issue.propose": (PhaseKey.ISSUES, _l("Proposing issues")),
    "issue.support": (PhaseKey.ISSUES, _l("Supporting issues")),
    "priorities.vote": (PhaseKey.ISSUES, _l("Dividing points over issues")),
    "agenda.edit": (PhaseKey.AGENDAS, _l("Writing agendas")),
    "covenant.sign": (PhaseKey.COVENANTS, _l("Signing covenants")),
    "covenant.open": (PhaseKey.COVENANTS, _l("Opening covenants for signature")),
}


def _phase_refusal(process, key: PhaseKey, activity) -> Decision:
    label = phase_label(key)
    if PHASE_ORDER.index(process.current_phase_key) > PHASE_ORDER.index(key):
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


def in_phase(key: PhaseKey, activity) -> Predicate:
    """The object's process is in phase `key`; a refusal names `activity` and says when it opens or that it is over."""

    def check(_user, obj) -> Decision:
        process = process_of(obj)
        return ALLOW if process.current_phase_key == key else _phase_refusal(process, key, activity)

    return Predicate(check, f"in_phase({key.value})")


@cache
def phase_allows(action: str) -> Predicate:
    """The phase that opens `action` (`PHASE_GATES`) is the current one."""
    gate = in_phase(*PHASE_GATES[action])
    return Predicate(gate, f"phase_allows({action!r})")


@cache
def phase_reached(action: str) -> Predicate:
    """The phase that opens `action` has come (it may be over); before it, the refusal of `phase_allows`."""
    key, activity = PHASE_GATES[action]

    def check(_user, obj) -> Decision:
        process = process_of(obj)
        if PHASE_ORDER.index(process.current_phase_key) < PHASE_ORDER.index(key):
            return _phase_refusal(process, key, activity)
        return ALLOW

    return Predicate(check, f"phase_reached({action!r})")
