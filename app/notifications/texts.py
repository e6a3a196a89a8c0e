"""The words for each kind of event, one line each, in the current language (app/notifications/describe.py
calls them inside `force_locale`). Each returns (text, (endpoint, anchor, url values)).

The issue's author reads "your issue", a follower or supporter "the issue". Titles are the current ones,
only while they may be seen; texts an event carries (a rationale, a reason) were public when it was recorded
and are shortened to one line here. Every kind in KINDS has its own words (tests/test_notifications_texts.py).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.agendas.models import Agenda, horizon_label
from app.text import plain_excerpt

EXCERPT = 160  # characters of a rationale or reason in one line
MUNICIPALITY_ROLES = ("wijkregisseur", "facilitator", "wethouder", "council", "admin")


def to_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def merge_target(event) -> int:
    """The issue it was merged into: named by the event, else the one the issue points at now."""
    return to_int(event.data.get("target_id")) or to_int(getattr(event.issue, "merged_into_id", None))


def _issue_shown(issue) -> bool:
    process = getattr(issue, "process", None)
    return issue is not None and issue.visibility == "visible" and process is not None and process.is_published


def _title(event) -> str:
    if _issue_shown(event.issue):
        return event.issue.title
    return _("an issue that is no longer visible")


def _mine(event, reader_id) -> bool:
    return reader_id is not None and event.issue is not None and event.issue.author_id == reader_id


def _short(value) -> str:
    return plain_excerpt(str(value or ""), EXCERPT)


def _issue_link(event):
    return ("issues.show", None, {"issue_id": event.issue_id})


def _comment_link(event):
    comment = event.comment
    if comment is None:
        return _issue_link(event)
    return ("threads.show", f"comment-{comment.id}", {"comment_id": comment.parent_id or comment.id})


def _agenda_link(event):
    agenda: Agenda | None = event.agenda
    horizon = agenda.horizon if agenda is not None else event.data.get("horizon")
    if not horizon:
        return ("working.group", None, {"issue_id": event.issue_id})
    return ("agendas.show", "consent", {"issue_id": event.issue_id, "horizon": int(horizon)})


def _agenda_name(event) -> str:
    agenda = event.agenda
    horizon = agenda.horizon if agenda is not None else event.data.get("horizon")
    return horizon_label(int(horizon)) if horizon else _("agenda")


def _covenant_link(event):
    return ("covenants.show", None, {"covenant_id": event.covenant_id})


def _covenant_title(event) -> str:
    return event.covenant.title if event.covenant is not None else _("a covenant")


# --- one per kind -------------------------------------------------------------------------


def _reaction(event, reader_id, _context):
    return _("New reaction on your issue “%(title)s”", title=_title(event)), _comment_link(event)


REPLIES = ("issue_answered", "comment_reply")


def answered_reaction(event) -> int:
    """The id of the reaction a reply or answer was placed under (0: none)."""
    return to_int(event.data.get("reply_to")) or to_int(getattr(event.comment, "parent_id", None))


def _wrote_answered(event, reader_id, context) -> bool:
    authors = context.get("reaction_authors", {})
    return reader_id is not None and authors.get(answered_reaction(event)) == reader_id


def _answered(event, reader_id, context):
    title, mine = _title(event), _mine(event, reader_id)
    by_municipality = event.actor is not None and event.actor.role in MUNICIPALITY_ROLES
    if mine:
        text = (
            _("The municipality answered your issue “%(title)s”", title=title)
            if by_municipality
            else _("A partner answered your issue “%(title)s”", title=title)
        )
    elif _wrote_answered(event, reader_id, context):
        text = (
            _("The municipality answered your reaction on “%(title)s”", title=title)
            if by_municipality
            else _("A partner answered your reaction on “%(title)s”", title=title)
        )
    else:
        text = (
            _("The municipality answered the issue “%(title)s”", title=title)
            if by_municipality
            else _("A partner answered the issue “%(title)s”", title=title)
        )
    return text, _comment_link(event)


def _reply(event, reader_id, context):
    title = _title(event)
    if _mine(event, reader_id) and not _wrote_answered(event, reader_id, context):
        return _("Someone replied to a reaction on your issue “%(title)s”", title=title), _comment_link(event)
    return _("Someone replied to your reaction on “%(title)s”", title=title), _comment_link(event)


# A decision on an issue, with the words it came with: four full sentences each (the author's and others',
# with and without the rationale or reason), because a translation needs whole sentences.
DECISIONS = {
    "issue_shortlisted": (
        "rationale",
        _l("Your issue “%(title)s” was chosen for the agenda: %(why)s"),
        _l("Your issue “%(title)s” was chosen for the agenda"),
        _l("The issue “%(title)s” was chosen for the agenda: %(why)s"),
        _l("The issue “%(title)s” was chosen for the agenda"),
    ),
    "issue_declined": (
        "reason",
        _l("Your issue “%(title)s” was not chosen: %(why)s"),
        _l("Your issue “%(title)s” was not chosen"),
        _l("The issue “%(title)s” was not chosen: %(why)s"),
        _l("The issue “%(title)s” was not chosen"),
    ),
    "issue_feedback": (
        "feedback",
        _l("The neighbourhood director wrote feedback on your issue “%(title)s”: %(what)s"),
        _l("The neighbourhood director wrote feedback on your issue “%(title)s”"),
        _l("The neighbourhood director wrote feedback on the issue “%(title)s”: %(what)s"),
        _l("The neighbourhood director wrote feedback on the issue “%(title)s”"),
    ),
    "issue_reopened": (
        "reason",
        _l("Your issue “%(title)s” is open again: %(why)s"),
        _l("Your issue “%(title)s” is open again"),
        _l("The issue “%(title)s” is open again: %(why)s"),
        _l("The issue “%(title)s” is open again"),
    ),
}


def _decision(event, reader_id, _context):
    field, mine_why, mine, theirs_why, theirs = DECISIONS[event.kind]
    why = _short(event.data.get(field))
    if _mine(event, reader_id):
        words = mine_why if why else mine
    else:
        words = theirs_why if why else theirs
    return str(words) % {"title": _title(event), "why": why, "what": why}, _issue_link(event)


def _merged(event, reader_id, context):
    title, mine = _title(event), _mine(event, reader_id)
    target_id = merge_target(event)
    target = context.get("shown_targets", {}).get(to_int(target_id))  # its current title, if it may be named
    if target:
        text = (
            _("Your issue “%(title)s” was merged with “%(target)s”", title=title, target=target)
            if mine
            else _("The issue “%(title)s” was merged with “%(target)s”", title=title, target=target)
        )
        return text, ("issues.show", None, {"issue_id": to_int(target_id)})
    text = (
        _("Your issue “%(title)s” was merged with another issue", title=title)
        if mine
        else _("The issue “%(title)s” was merged with another issue", title=title)
    )
    return text, _issue_link(event)


def _withdrawn(event, reader_id, _context):
    title, why = _title(event), _short(event.data.get("reason"))
    text = (
        _("The writer withdrew the issue “%(title)s”: %(why)s", title=title, why=why)
        if why
        else _("The writer withdrew the issue “%(title)s”", title=title)
    )
    return text, _issue_link(event)


def _consent_opened(event, reader_id, _context):
    text = _(
        "A consent round opened on the %(agenda)s of “%(title)s”: say whether you agree",
        agenda=_agenda_name(event),
        title=_title(event),
    )
    return text, _agenda_link(event)


def _objection_raised(event, reader_id, _context):
    text = _("Someone objected to the %(agenda)s of “%(title)s”", agenda=_agenda_name(event), title=_title(event))
    return text, _agenda_link(event)


def _objection_answered(event, reader_id, context):
    agenda, title = _agenda_name(event), _title(event)
    objector = to_int(event.data.get("objector_id")) or context.get("objectors", {}).get(
        to_int(event.data.get("answer_id"))
    )
    if reader_id is not None and objector == reader_id:
        text = _("Your objection to the %(agenda)s of “%(title)s” was answered", agenda=agenda, title=title)
    else:
        text = _("An objection to the %(agenda)s of “%(title)s” was answered", agenda=agenda, title=title)
    return text, _agenda_link(event)


def _version(event):
    return event.data.get("version") or (event.covenant.current_version if event.covenant is not None else 0)


def _covenant_opened(event, reader_id, _context):
    text = _(
        "The covenant “%(title)s” is ready to sign (version %(version)s)",
        title=_covenant_title(event),
        version=_version(event),
    )
    return text, _covenant_link(event)


def _covenant_new_version(event, reader_id, _context):
    text = _(
        "The covenant “%(title)s” changed: version %(version)s is ready to sign again",
        title=_covenant_title(event),
        version=_version(event),
    )
    return text, _covenant_link(event)


def _covenant_paused(event, reader_id, _context):
    reference = _short(event.data.get("reference") or event.data.get("reason"))
    title = _covenant_title(event)
    text = (
        _(
            "Signing the covenant “%(title)s” was paused by the municipal council (%(reference)s)",
            title=title,
            reference=reference,
        )
        if reference
        else _("Signing the covenant “%(title)s” was paused by the municipal council", title=title)
    )
    return text, _covenant_link(event)


def _covenant_resumed(event, reader_id, _context):
    text = _(
        "The municipal council agreed: the covenant “%(title)s” can be signed again (version %(version)s)",
        title=_covenant_title(event),
        version=_version(event),
    )
    return text, _covenant_link(event)


def _covenant_back(event, reader_id, _context):
    why = _short(event.data.get("reason"))
    title = _covenant_title(event)
    text = (
        _("The covenant “%(title)s” is being written again: %(why)s", title=title, why=why)
        if why
        else _("The covenant “%(title)s” is being written again", title=title)
    )
    return text, _covenant_link(event)


def _covenant_in_force(event, reader_id, _context):
    text = _("The covenant “%(title)s” is in force: every party signed it", title=_covenant_title(event))
    return text, _covenant_link(event)


def _covenant_ended(event, reader_id, _context):
    why, party = _short(event.data.get("reason")), event.data.get("party")
    title = _covenant_title(event)
    if party:
        text = (
            _("%(party)s ended the covenant “%(title)s”: %(why)s", party=party, title=title, why=why)
            if why
            else _("%(party)s ended the covenant “%(title)s”", party=party, title=title)
        )
    else:
        text = (
            _("The covenant “%(title)s” has ended: %(why)s", title=title, why=why)
            if why
            else _("The covenant “%(title)s” has ended", title=title)
        )
    return text, _covenant_link(event)


def _organisation(event) -> str:
    membership = event.membership
    if membership is not None and membership.organisation is not None:
        return membership.organisation.name
    return _("your organisation")


def _membership_approved(event, reader_id, _context):
    text = _("Your membership of %(organisation)s was approved", organisation=_organisation(event))
    return text, ("accounts.organisations", None, {})


def _membership_rejected(event, reader_id, _context):
    text = _("Your membership of %(organisation)s was not approved", organisation=_organisation(event))
    return text, ("accounts.organisations", None, {})


def _group_admitted(event, reader_id, _context):
    text = _("You are now a member of the working group of “%(title)s”", title=_title(event))
    return text, ("working.group", None, {"issue_id": event.issue_id})


def _group_rejected(event, reader_id, _context):
    text = _("You were not admitted to the working group of “%(title)s”", title=_title(event))
    return text, ("working.group", None, {"issue_id": event.issue_id})


def generic(event, reader_id, _context):
    """A kind without its own words yet (tests/test_notifications_texts.py asks for them): still a line."""
    if event.covenant_id is not None:
        return _("Something changed in the covenant “%(title)s”", title=_covenant_title(event)), _covenant_link(event)
    if event.issue_id is not None:
        return _("Something happened with the issue “%(title)s”", title=_title(event)), _issue_link(event)
    return _("Something happened on the platform"), ("notifications.index", None, {})


TEXTS = {
    "issue_reaction": _reaction,
    "issue_answered": _answered,
    "comment_reply": _reply,
    "issue_shortlisted": _decision,
    "issue_merged": _merged,
    "issue_declined": _decision,
    "issue_feedback": _decision,
    "issue_reopened": _decision,
    "issue_withdrawn": _withdrawn,
    "consent_opened": _consent_opened,
    "objection_raised": _objection_raised,
    "objection_answered": _objection_answered,
    "covenant_opened": _covenant_opened,
    "covenant_new_version": _covenant_new_version,
    "covenant_paused": _covenant_paused,
    "covenant_resumed": _covenant_resumed,
    "covenant_back_to_writing": _covenant_back,
    "covenant_in_force": _covenant_in_force,
    "covenant_ended": _covenant_ended,
    "membership_approved": _membership_approved,
    "membership_rejected": _membership_rejected,
    "working_group_admitted": _group_admitted,
    "working_group_rejected": _group_rejected,
}
