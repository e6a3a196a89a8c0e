"""Who may do what with issues and the prioritisation round (gathered by app/policy.py)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import Role
from app.policy import (
    ALLOW,
    MODERATORS,
    PARTICIPANTS,
    Decision,
    _all,
    _approved_partner,
    _gate,
    _process_of,
    _role,
    _signed_in,
    rule,
)
from app.processes.models import PHASE_ORDER, PhaseKey


def _participation(user, obj, action: str, who: str) -> Decision:
    """Residents and approved partners, in the phase that opens the action."""
    return _all(
        lambda: _role(user, PARTICIPANTS, who),
        lambda: _approved_partner(user),
        lambda: _gate(_process_of(obj), action),
    )


def _issue_is_open(issue) -> Decision:
    from app.issues.models import ACTIVE

    if getattr(issue, "status", "open") in ACTIVE:  # a process (no status) passes
        return ALLOW
    return Decision(False, _("This issue is closed: it was merged, not chosen or withdrawn."), because="state")


def _issue_is_shown(issue) -> Decision:
    """Hidden or not yet checked issues take no support or reactions (a process passes)."""
    visibility = getattr(issue, "visibility", None)
    if visibility in (None, "visible"):  # None: a process, or an issue not saved yet
        return ALLOW
    if visibility == "pending":
        return Decision(False, _("This issue waits for a check by the neighbourhood director."), because="state")
    return Decision(False, _("This issue is hidden by the neighbourhood director."), because="state")


def _discussion_open(issue) -> Decision:
    if getattr(issue, "discussion_locked", False):
        return Decision(False, _("The discussion of this issue is closed."), because="state")
    return ALLOW


@rule("issue.propose")
def _issue_propose(user, process) -> Decision:
    return _participation(user, process, "issue.propose", _("Only residents and partners can propose issues."))


@rule("issue.support")
def _issue_support(user, obj) -> Decision:
    return _all(
        lambda: _participation(user, obj, "issue.support", _("Only residents and partners can support issues.")),
        lambda: _issue_is_open(obj),
        lambda: _issue_is_shown(obj),
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
        lambda: _signed_in(user),
        lambda: _approved_partner(user),
        from_phase_two,
        lambda: _issue_is_open(issue),
        lambda: _issue_is_shown(issue),
        lambda: _discussion_open(issue),
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
