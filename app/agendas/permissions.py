"""Who may do what with agendas, working groups, consent rounds and links (gathered by app/policy.py).

The rules take an issue, one of its agendas, or a process ("may this person edit agendas at all?").
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.predicates import (
    MUNICIPALITY,
    PARTICIPANTS,
    Predicate,
    has_role,
    is_moderator,
    partner_approved,
    phase_allows,
    predicate,
    signed_in,
)


def issue_of(obj):
    """The issue behind an agenda or consent round, or the issue itself; None for a process."""
    if hasattr(obj, "horizon"):
        return obj.issue
    if hasattr(obj, "author_was_resident"):
        return obj
    return None


@predicate
def about_an_issue(_user, obj) -> bool:
    return issue_of(obj) is not None


@predicate(reason=_l("Only issues chosen for an agenda get agendas."), kind="state")
def issue_is_chosen(_user, obj) -> bool:
    return issue_of(obj).status == "shortlisted"


@predicate(reason=_l("Only members of the working group can edit. Residents can ask to join."), kind="membership")
def in_working_group(user, obj) -> bool:
    from app.agendas.services import is_member

    return is_member(user, issue_of(obj))


@predicate(reason=_l("Only issues chosen for an agenda have a working group."), kind="state")
def has_a_working_group(_user, issue) -> bool:
    return issue.status == "shortlisted"


@predicate(reason=_l("You have already asked to join this working group."), kind="state")
def not_asked_to_join(user, issue) -> bool:
    from app.agendas.services import membership_of

    return membership_of(user, issue) is None


role_may_edit = has_role(*PARTICIPANTS, *MUNICIPALITY, reason=_l("Only members of a working group can edit agendas."))
role_may_join = has_role(Role.RESIDENT, reason=_l("Partners and the municipality are members already."))
role_may_run_rounds = is_moderator.because(_l("Only the neighbourhood director opens and closes consent rounds."))
agenda_phase = phase_allows("agenda.edit")
works_on_it = issue_is_chosen & in_working_group

rules: dict[str, Predicate] = {}

# Members of the issue's working group, in phase 3, on a chosen issue (a process: the first three).
rules["agenda.edit"] = signed_in & role_may_edit & partner_approved & agenda_phase & (~about_an_issue | works_on_it)
rules["agenda.link"] = rules["agenda.edit"]
rules["agenda.join"] = signed_in & role_may_join & has_a_working_group & not_asked_to_join
rules["agenda.admit"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director admits residents to a working group.")
)
rules["consent.manage"] = signed_in & role_may_run_rounds & agenda_phase & issue_is_chosen
rules["consent.answer"] = signed_in & agenda_phase & works_on_it
# Members answer objections; so does the neighbourhood director, who leads the round.
rules["consent.respond"] = (is_moderator & agenda_phase & issue_is_chosen) | rules["consent.answer"]
