"""Who may do what with agendas, working groups, consent rounds and links (gathered by app/policy.py)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import Role
from app.policy import (
    ALLOW,
    MODERATORS,
    MUNICIPALITY,
    PARTICIPANTS,
    Decision,
    _all,
    _approved_partner,
    _gate,
    _process_of,
    _role,
    _signed_in,
    can,
    rule,
)


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
