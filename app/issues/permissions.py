"""Who may do what with issues, reactions and the prioritisation round (gathered by app/policy.py).

Each rule is one line of predicates (app/predicates.py and the issue predicates below); a refused
rule gives the reason of its first refusing part. Rules that take an issue also accept its process
("may this person propose or support at all?"): the issue's own checks let a process pass.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.issues.models import ACTIVE
from app.models_common import utcnow
from app.predicates import (
    ALLOW,
    PARTICIPANTS,
    Decision,
    Predicate,
    has_role,
    is_author,
    is_moderator,
    partner_approved,
    phase_allows,
    phase_reached,
    predicate,
    signed_in,
)

# --- who each activity is for, and what everyone else is told -------------------------------------

role_may_propose = has_role(*PARTICIPANTS, reason=_l("Only residents and partners can propose issues."))
role_may_support = has_role(*PARTICIPANTS, reason=_l("Only residents and partners can support issues."))
role_may_vote = has_role(*PARTICIPANTS, reason=_l("Only residents and partners can divide points."))
author_may_change = is_author(reason=_l("Only the author can change an issue."))
author_may_withdraw = is_author(reason=_l("Only the author can withdraw an issue."))
author_may_change_reaction = is_author(reason=_l("Only the author can change a reaction."))
author_may_withdraw_reaction = is_author(reason=_l("Only the author can withdraw a reaction."))
role_may_decide = has_role(
    Role.WIJKREGISSEUR,
    Role.WETHOUDER,
    Role.ADMIN,
    reason=_l("Only the alderman or the neighbourhood director can decide on issues."),
)

# --- the issue --------------------------------------------------------------------------------------


@predicate(reason=_l("This issue is closed: it was merged, not chosen or withdrawn."), kind="state")
def issue_is_open(_user, issue) -> bool:
    return getattr(issue, "status", "open") in ACTIVE  # a process (no status) passes


@predicate
def issue_is_shown(_user, issue) -> Decision:
    """Hidden or not yet checked issues take no support or reactions (a process passes)."""
    visibility = getattr(issue, "visibility", None)
    if visibility in (None, "visible"):  # None: a process, or an issue not saved yet
        return ALLOW
    if visibility == "pending":
        return Decision(False, _("This issue waits for a check by the neighbourhood director."), because="state")
    return Decision(False, _("This issue is hidden by the neighbourhood director."), because="state")


@predicate(reason=_l("The discussion of this issue is closed."), kind="state")
def discussion_open(_user, issue) -> bool:
    return not getattr(issue, "discussion_locked", False)


issue_is_live = issue_is_open & issue_is_shown  # still in play, and visible to everyone
takes_reactions = issue_is_live & discussion_open


@predicate(reason=_l("Only an open issue can be withdrawn."), kind="state")
def issue_awaits_decision(_user, issue) -> bool:
    return issue.status == "open"


def _within_edit_window(created_at) -> tuple[bool, int]:
    minutes = current_app.config["ISSUE_EDIT_MINUTES"]
    return utcnow() - created_at <= timedelta(minutes=minutes), minutes


@predicate
def issue_is_recent(_user, issue) -> Decision:
    """Authors may correct their issue for a short while after publishing (`ISSUE_EDIT_MINUTES`)."""
    recent, minutes = _within_edit_window(issue.created_at)
    if recent:
        return ALLOW
    return Decision(
        False,
        _("You can change an issue for %(minutes)d minutes after publishing. Add a comment instead.", minutes=minutes),
        because="state",
    )


# --- the prioritisation round -----------------------------------------------------------------------


@predicate
def round_is_open(_user, round_) -> Decision:
    status = getattr(round_, "status", None)  # None: a process
    if status is None or status == "open":
        return ALLOW
    if status == "closed":
        return Decision(False, _("The round of dividing points is closed."), because="state")
    return Decision(False, _("The round of dividing points has not started yet."), because="state")


@predicate
def round_is_closed(_user, round_) -> bool:
    return round_.status == "closed"


@predicate
def results_shown_while_open(_user, round_) -> bool:
    return bool(round_.results_while_open)


# --- a reaction after it is placed (app/issues/comments.py) -----------------------------------------


@predicate(reason=_l("This reaction is withdrawn."), kind="state")
def comment_not_withdrawn(_user, comment) -> bool:
    return comment.visibility != "withdrawn"


@predicate(reason=_l("A hidden reaction cannot be changed. You can withdraw it."), kind="state")
def comment_not_hidden(_user, comment) -> bool:
    return comment.visibility not in ("hidden", "auto_hidden")


@predicate
def comment_is_recent(_user, comment) -> Decision:
    """Authors may change their reaction for as long as they may correct an issue (`ISSUE_EDIT_MINUTES`)."""
    recent, minutes = _within_edit_window(comment.created_at)
    if recent:
        return ALLOW
    return Decision(
        False,
        _(
            "You can change a reaction for %(minutes)d minutes after placing it. You can still withdraw it.",
            minutes=minutes,
        ),
        because="state",
    )


@predicate
def its_issue_takes_reactions(user, comment) -> Decision:
    issue = comment.issue  # None when the issue is hidden (app/issues/visibility.py)
    if issue is None:
        return Decision(False, _("This issue is hidden by the neighbourhood director."), because="state")
    return takes_reactions(user, issue)


# --- the rules ----------------------------------------------------------------------------------------

rules: dict[str, Predicate] = {}

rules["issue.propose"] = signed_in & role_may_propose & partner_approved & phase_allows("issue.propose")
rules["issue.support"] = signed_in & role_may_support & partner_approved & phase_allows("issue.support") & issue_is_live
rules["issue.edit"] = signed_in & author_may_change & issue_is_recent & issue_is_open
rules["issue.withdraw"] = signed_in & author_may_withdraw & issue_awaits_decision
# Everyone signed in may discuss, from phase 2 on; partners once their organisation confirmed them.
rules["issue.comment"] = signed_in & partner_approved & phase_reached("issue.propose") & takes_reactions
rules["issue.report"] = signed_in
rules["issue.follow"] = signed_in
# Shortlisting, merging and declining: the wethouder decides, the wijkregisseur prepares and records.
rules["issue.decide"] = signed_in & role_may_decide

rules["priorities.vote"] = (
    signed_in & role_may_vote & partner_approved & phase_allows("priorities.vote") & round_is_open
)
rules["priorities.manage"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director can open and close the round.")
)
# Results stay hidden until the round closes, unless the neighbourhood director chose otherwise.
rules["priorities.results"] = (round_is_closed | results_shown_while_open | is_moderator).because(
    _l("The results are shown when the round closes."), kind="state"
)

rules["comment.edit"] = (
    signed_in
    & author_may_change_reaction
    & comment_not_withdrawn
    & comment_not_hidden
    & comment_is_recent
    & its_issue_takes_reactions
)
# Authors may withdraw their reaction at any time; a placeholder keeps the answers to it in place.
rules["comment.withdraw"] = signed_in & author_may_withdraw_reaction & comment_not_withdrawn
