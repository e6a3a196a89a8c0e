"""Who may do what, on what, in which phase. Every view and template asks here.

Each action has one rule, built from small predicates (signed in, role,
approved membership, phase). A rule returns a `Decision`: truthy when allowed,
otherwise carrying a plain-language reason and, where the phase is the reason,
when the action opens. Nothing else in the code decides permissions.

Usage: ``can(current_user, "issue.propose", process)`` in views and templates,
``require("process.set_phase", process)`` in views (403 with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


def can(user, action: str, obj=None) -> Decision:
    try:
        check = RULES[action]
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


def _participation(user, obj, action: str, who: str) -> Decision:
    """Residents and approved partners, in the phase that opens the action."""
    return _all(
        lambda: _role(user, PARTICIPANTS, who),
        lambda: _approved_partner(user),
        lambda: _gate(_process_of(obj), action),
    )


def _issue_is_open(issue) -> Decision:
    from app.issues.models import IssueStatus

    if getattr(issue, "status", IssueStatus.OPEN.value) in (IssueStatus.OPEN.value, IssueStatus.SHORTLISTED.value):
        return ALLOW
    return Decision(False, _("This issue is closed: it was merged, not chosen or withdrawn."), because="state")


@rule("issue.propose")
def _issue_propose(user, process) -> Decision:
    return _participation(user, process, "issue.propose", _("Only residents and partners can propose issues."))


@rule("issue.support")
def _issue_support(user, obj) -> Decision:
    return _all(
        lambda: _participation(user, obj, "issue.support", _("Only residents and partners can support issues.")),
        lambda: _issue_is_open(obj),
    )


@rule("issue.edit")
def _issue_edit(user, issue) -> Decision:
    """Authors may correct their issue for a short while after publishing."""
    from datetime import timedelta

    from flask import current_app

    from app.models_common import utcnow

    def own_and_recent() -> Decision:
        if issue.author_id != user.id:
            return Decision(False, _("Only the author can change an issue."), because="role")
        minutes = current_app.config["ISSUE_EDIT_MINUTES"]
        if utcnow() - issue.created_at > timedelta(minutes=minutes):
            return Decision(
                False,
                _(
                    "You can change an issue for %(minutes)d minutes after publishing. Add a comment instead.",
                    minutes=minutes,
                ),
                because="state",
            )
        return ALLOW

    return _all(lambda: _signed_in(user), own_and_recent, lambda: _issue_is_open(issue))


@rule("issue.withdraw")
def _issue_withdraw(user, issue) -> Decision:
    def own() -> Decision:
        if issue.author_id != user.id:
            return Decision(False, _("Only the author can withdraw an issue."), because="role")
        if issue.status != "open":
            return Decision(False, _("Only an open issue can be withdrawn."), because="state")
        return ALLOW

    return _all(lambda: _signed_in(user), own)


@rule("issue.comment")
def _issue_comment(user, issue) -> Decision:
    """Everyone signed in may discuss, from phase 2 on; partners once their organisation confirmed them."""

    def from_phase_two() -> Decision:
        process = _process_of(issue)
        if PHASE_ORDER.index(process.current_phase_key) < PHASE_ORDER.index(PhaseKey.ISSUES):
            return _gate(process, "issue.propose")
        return ALLOW

    return _all(
        lambda: _signed_in(user), lambda: _approved_partner(user), from_phase_two, lambda: _issue_is_open(issue)
    )


@rule("issue.report")
def _issue_report(user, _obj) -> Decision:
    return _signed_in(user)


@rule("issue.follow")
def _issue_follow(user, _obj) -> Decision:
    return _signed_in(user)


@rule("issue.decide")
def _issue_decide(user, _obj) -> Decision:
    """Shortlisting, merging and declining: the wethouder decides, the wijkregisseur prepares and records."""
    return _role(
        user,
        (Role.WIJKREGISSEUR, Role.WETHOUDER, Role.ADMIN),
        _("Only the alderman or the neighbourhood director can decide on issues."),
    )


@rule("priorities.vote")
def _priorities_vote(user, obj) -> Decision:
    def round_open() -> Decision:
        status = getattr(obj, "status", None)
        if status is None or status == "open":
            return ALLOW
        if status == "closed":
            return Decision(False, _("The round of dividing points is closed."), because="state")
        return Decision(False, _("The round of dividing points has not started yet."), because="state")

    return _all(
        lambda: _participation(user, obj, "priorities.vote", _("Only residents and partners can divide points.")),
        round_open,
    )


@rule("priorities.manage")
def _priorities_manage(user, _obj) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can open and close the round."))


@rule("priorities.results")
def _priorities_results(user, round_) -> Decision:
    """Results stay hidden until the round closes, unless the neighbourhood director chose otherwise."""
    if (
        round_.status == "closed"
        or round_.results_while_open
        or (getattr(user, "is_authenticated", False) and user.has_role(*MODERATORS))
    ):
        return ALLOW
    return Decision(False, _("The results are shown when the round closes."), because="state")


def _issue_of(obj):
    """The issue behind an agenda or consent round, or the issue itself; None for a process."""
    if hasattr(obj, "horizon"):
        return obj.issue
    if hasattr(obj, "author_was_resident"):
        return obj
    return None


def _working_group(user, issue) -> Decision:
    from app.agendas.services import is_member

    if issue.status != "shortlisted":
        return Decision(False, _("Only issues chosen for an agenda get agendas."), because="state")
    if not is_member(user, issue):
        return Decision(
            False, _("Only members of the working group can edit. Residents can ask to join."), because="membership"
        )
    return ALLOW


@rule("agenda.edit")
def _agenda_edit(user, obj) -> Decision:
    """Members of the issue's working group, in phase 3, on a shortlisted issue."""
    issue = _issue_of(obj)
    return _all(
        lambda: _role(user, (*PARTICIPANTS, *MUNICIPALITY), _("Only members of a working group can edit agendas.")),
        lambda: _approved_partner(user),
        lambda: _gate(_process_of(issue or obj), "agenda.edit"),
        lambda: _working_group(user, issue) if issue is not None else ALLOW,
    )


@rule("agenda.join")
def _agenda_join(user, issue) -> Decision:
    def not_yet() -> Decision:
        from app.agendas.services import membership_of

        if issue.status != "shortlisted":
            return Decision(False, _("Only issues chosen for an agenda have a working group."), because="state")
        if membership_of(user, issue) is not None:
            return Decision(False, _("You have already asked to join this working group."), because="state")
        return ALLOW

    return _all(lambda: _role(user, (Role.RESIDENT,), _("Partners and the municipality are members already.")), not_yet)


@rule("agenda.admit")
def _agenda_admit(user, _obj) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director admits residents to a working group."))


def _chosen(issue) -> Decision:
    if issue.status != "shortlisted":
        return Decision(False, _("Only issues chosen for an agenda get agendas."), because="state")
    return ALLOW


@rule("consent.manage")
def _consent_manage(user, agenda) -> Decision:
    issue = _issue_of(agenda)
    return _all(
        lambda: _role(user, MODERATORS, _("Only the neighbourhood director opens and closes consent rounds.")),
        lambda: _gate(_process_of(issue), "agenda.edit"),
        lambda: _chosen(issue),
    )


@rule("consent.answer")
def _consent_answer(user, agenda) -> Decision:
    issue = _issue_of(agenda)
    return _all(
        lambda: _signed_in(user),
        lambda: _gate(_process_of(issue), "agenda.edit"),
        lambda: _working_group(user, issue),
    )


@rule("consent.respond")
def _consent_respond(user, agenda) -> Decision:
    """Members answer objections; so does the neighbourhood director, who leads the round."""
    if getattr(user, "is_authenticated", False) and user.has_role(*MODERATORS):
        issue = _issue_of(agenda)
        return _all(lambda: _gate(_process_of(issue), "agenda.edit"), lambda: _chosen(issue))
    return can(user, "consent.answer", agenda)


@rule("agenda.link")
def _agenda_link(user, issue) -> Decision:
    return can(user, "agenda.edit", issue)


@rule("covenant.sign")
def _covenant_sign(user, process) -> Decision:
    def signatory() -> Decision:
        if user.has_role(Role.WETHOUDER):
            return ALLOW
        if user.has_role(Role.PARTNER) and any(m.is_signatory for m in user.approved_memberships()):
            return ALLOW
        return Decision(
            False, _("Only signatories of an organisation and aldermen can sign covenants."), because="role"
        )

    return _all(
        lambda: _signed_in(user),
        signatory,
        lambda: _gate(process, "covenant.sign"),
    )


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


@rule("council.record")
def _council_record(user, _obj) -> Decision:
    return _role(user, (Role.COUNCIL,), _("Only the council's clerk or members can record council positions."))


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
