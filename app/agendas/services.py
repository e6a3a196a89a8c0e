"""Working groups and agendas: saving revisions without ever losing an edit.

Every form carries the revision it was loaded from (`base`). Saving on top of the current
revision simply adds the next one. Saving on top of an older one merges: changes to other
fields or activities combine by themselves; a real conflict keeps the editor's version as a
draft and asks them to choose (see `resolve_draft`). Nothing an editor typed is thrown away.

That mechanism is the shared `RevisionStore` (app/revisions/store.py, also used for covenants);
`AGENDAS` is its agenda instance, and this module adds what only agendas have: the checks of
texts and activities, consent rounds following new revisions, and moves between horizons.
"""

from __future__ import annotations

import math
import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Organisation, Role, User
from app.agendas.models import (
    HORIZONS,
    ActivityStatus,
    Agenda,
    AgendaDraft,
    AgendaRevision,
    AgendaStatus,
    ConsentRound,
    MemberStatus,
    WorkingGroupMember,
)
from app.errors import DomainError, unique_or
from app.extensions import db
from app.issues.models import Issue, IssueStatus
from app.issues.visibility import get_including_hidden
from app.models_common import utcnow
from app.notifications import events
from app.request_args import to_int
from app.revisions.documents import MergeResult, normalise
from app.revisions.store import RevisionStore, Saved

TEXT_FIELDS = ("summary", "review_moment", "reviewers", "success")
REQUIRED_FOR_CONSENT = TEXT_FIELDS
QUARTER = re.compile(r"^(20\d\d)-Q([1-4])$")
MUNICIPALITY = "municipality"  # the responsible party when it is the municipality itself
MAX_AMOUNT = 10**12  # euros or hours of an activity: far above any real one, and inside every integer type


# --- working group ---------------------------------------------------------------------------


def is_member(user, issue: Issue) -> bool:
    """Partners (approved) and municipality roles belong to every working group; residents once admitted."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.WIJKREGISSEUR, Role.FACILITATOR, Role.WETHOUDER):
        return True
    if user.has_role(Role.PARTNER):
        return bool(user.approved_memberships())
    if user.has_role(Role.RESIDENT):
        return membership_of(user, issue) == MemberStatus.ADMITTED.value
    return False


def membership_of(user, issue: Issue) -> str | None:
    return db.session.scalar(
        sa.select(WorkingGroupMember.status).where(
            WorkingGroupMember.issue_id == issue.id, WorkingGroupMember.user_id == user.id
        )
    )


def ask_to_join(user: User, issue: Issue, motivation: str) -> WorkingGroupMember:
    if membership_of(user, issue) is not None:
        raise DomainError(_("You have already asked to join this working group."), "motivation")
    with unique_or(DomainError(_("You have already asked to join this working group."), "motivation")):
        member = WorkingGroupMember(issue_id=issue.id, user_id=user.id, motivation=(motivation or "").strip()[:2000])
        db.session.add(member)
    return member


def decide_member(member: WorkingGroupMember, admit: bool, actor: User | None = None) -> None:
    status = (MemberStatus.ADMITTED if admit else MemberStatus.REJECTED).value
    changed = member.status != status
    member.status = status
    member.decided_at = utcnow()
    db.session.flush()
    if changed:  # "the neighbourhood director lets you know", as the request page promises
        events.record(
            "working_group_admitted" if admit else "working_group_rejected",
            actor=actor,
            issue=get_including_hidden(Issue, member.issue_id),
            user_id=member.user_id,
        )


def resident_members(issue: Issue) -> list[WorkingGroupMember]:
    return list(
        db.session.scalars(
            sa.select(WorkingGroupMember)
            .where(WorkingGroupMember.issue_id == issue.id)
            .order_by(WorkingGroupMember.requested_at)
            .options(
                selectinload(WorkingGroupMember.user)
                .selectinload(User.memberships)
                .selectinload(Membership.organisation)
            )
        )
    )


# --- agendas and revisions -------------------------------------------------------------------


def agendas_of(issue_id: int) -> dict[int, Agenda]:
    return {a.horizon: a for a in db.session.scalars(sa.select(Agenda).where(Agenda.issue_id == issue_id))}


def agenda_for(issue: Issue, horizon: int, create: bool = False) -> Agenda | None:
    if horizon not in HORIZONS:
        raise DomainError(_("Choose 1, 5 or 10 years."))
    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.issue_id == issue.id, Agenda.horizon == horizon))
    if agenda is None and create:
        try:
            with unique_or(DomainError("exists")):
                agenda = Agenda(issue_id=issue.id, horizon=horizon)
                db.session.add(agenda)
        except DomainError:
            agenda = db.session.scalar(sa.select(Agenda).where(Agenda.issue_id == issue.id, Agenda.horizon == horizon))
    return agenda


def _follow_consent(agenda: Agenda) -> None:
    """A new revision makes an agreed agenda a draft again, and an open consent round is about the latest text."""
    if agenda.status == AgendaStatus.AGREED.value:
        agenda.status = AgendaStatus.DRAFT.value  # changing an agreed agenda needs a new consent round
    open_round = db.session.scalar(
        sa.select(ConsentRound).where(ConsentRound.agenda_id == agenda.id, ConsentRound.open.is_(True))
    )
    if open_round is not None:
        open_round.revision_number = agenda.current_revision


FREE_TEXT = ("title", "description", "in_kind", "indicator")


def _free_text(key: str) -> bool:
    """May the editor write their own combination for this conflict? Only for texts."""
    parts = key.split(":")
    return parts[0] == "field" or (parts[0] == "item" and len(parts) == 3 and parts[2] in FREE_TEXT)


def validate_document(doc: dict) -> dict:
    doc = normalise(doc)
    doc["fields"] = {k: (doc["fields"].get(k) or "").strip()[:5000] for k in TEXT_FIELDS}
    return doc


def validate_activities(doc: dict) -> dict:
    """Check every activity again (a resolved conflict may combine values)."""
    ids = organisation_ids()
    doc = normalise(doc)
    doc["items"] = [validate_activity(item, ids) for item in doc["items"]]
    return doc


AGENDAS = RevisionStore(
    owner=Agenda,
    revision=AgendaRevision,
    draft=AgendaDraft,
    key="agenda_id",
    validate=validate_document,
    on_revision=_follow_consent,
    free_text=_free_text,
    revalidate=validate_activities,
)


# The agenda names other modules import: the mechanism itself lives in app/revisions/store.py.


def revision(agenda: Agenda | None, number: int | None = None) -> AgendaRevision | None:
    return AGENDAS.revision(agenda, number)


def document(agenda: Agenda | None, number: int | None = None) -> dict:
    return AGENDAS.document(agenda, number)


def _lock(agenda: Agenda) -> Agenda:
    return AGENDAS.lock(agenda)


def save(
    user: User,
    agenda: Agenda,
    base: int,
    new_document: dict,
    message: str,
    event: str = "",
    event_args: dict | None = None,
    resolving: bool = False,
) -> Saved:
    return AGENDAS.save(user, agenda, base, new_document, message, event, event_args, resolving)


def draft_of(user, agenda: Agenda | None) -> AgendaDraft | None:
    return AGENDAS.draft_of(user, agenda)


def draft_conflicts(agenda: Agenda, draft: AgendaDraft) -> MergeResult:
    return AGENDAS.draft_conflicts(agenda, draft)


def resolve_draft(user: User, agenda: Agenda, against: int, choices: dict) -> Saved:
    return AGENDAS.resolve_draft(user, agenda, against, choices)


def discard_draft(user, agenda: Agenda) -> None:
    AGENDAS.discard_draft(user, agenda)


def restore(user: User, agenda: Agenda, number: int) -> AgendaRevision:
    return AGENDAS.restore(user, agenda, number)


# --- activities ---------------------------------------------------------------------------------


def new_activity_id() -> str:
    return "a" + secrets.token_hex(5)


def quarter(value: str | None) -> str:
    value = (value or "").strip().upper().replace(" ", "")
    if value and not QUARTER.match(value):
        raise DomainError(_("Write a quarter like 2027-Q3."))
    return value


def validate_activity(data: dict, organisation_ids: set[str]) -> dict:
    title = (data.get("title") or "").strip()
    if len(title) < 3:
        raise DomainError(_("Give the activity a title of at least 3 characters."), "title")
    activity = {
        "id": data.get("id") or new_activity_id(),
        "title": title[:200],
        "description": (data.get("description") or "").strip()[:5000],
        "responsible": (data.get("responsible") or "").strip(),
        "contributors": sorted({str(c) for c in data.get("contributors") or []} & organisation_ids),
        "euros": _whole(data.get("euros"), "euros"),
        "hours": _whole(data.get("hours"), "hours"),
        "fte": _decimal(data.get("fte"), "fte"),
        "in_kind": (data.get("in_kind") or "").strip()[:500],
        "indicator": (data.get("indicator") or "").strip()[:1000],
        "status": data.get("status") or ActivityStatus.PROPOSED.value,
    }
    if activity["responsible"] not in organisation_ids | {MUNICIPALITY, ""}:
        raise DomainError(_("Choose the responsible party from the list."), "responsible")
    if activity["status"] not in {s.value for s in ActivityStatus}:
        raise DomainError(_("Choose one of the options."), "status")
    try:
        activity["from_q"] = quarter(data.get("from_q"))
    except DomainError as error:
        raise DomainError(error.message, "from_q") from None
    try:
        activity["to_q"] = quarter(data.get("to_q"))
    except DomainError as error:
        raise DomainError(error.message, "to_q") from None
    if activity["from_q"] and activity["to_q"] and activity["to_q"] < activity["from_q"]:
        raise DomainError(_("The end must not be before the start."), "to_q")
    return activity


def _whole(value, field_name: str):
    if value in (None, ""):
        return None
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 25.000: a thousands separator, as Dutch people write
        text = text.replace(".", "")
    if not (text.isascii() and text.isdigit()):  # not "²", which isdigit() accepts and int() refuses
        raise DomainError(_("Fill in a whole number, or leave it empty."), field_name)
    number = to_int(text, maximum=MAX_AMOUNT)
    if number is None:
        raise DomainError(_("This number is too large."), field_name)
    return number


def _decimal(value, field_name: str):
    if value in (None, ""):
        return None
    try:
        number = round(float(str(value).replace(",", ".")), 2)
    except ValueError:
        raise DomainError(_("Fill in a number like 0,5, or leave it empty."), field_name) from None
    if not math.isfinite(number):  # "nan", "inf", "1e999": JSON (and PostgreSQL) cannot store them
        raise DomainError(_("Fill in a number like 0,5, or leave it empty."), field_name)
    if number > MAX_AMOUNT:
        raise DomainError(_("This number is too large."), field_name)
    if number < 0:
        raise DomainError(_("Fill in a number of 0 or more."), field_name)
    return number


def organisation_ids() -> set[str]:
    return {str(i) for i in db.session.scalars(sa.select(Organisation.id).where(Organisation.verified.is_(True)))}


def with_texts(doc: dict, texts: dict) -> dict:
    doc = normalise(doc)
    for name in TEXT_FIELDS:
        doc["fields"][name] = (texts.get(name) or "").strip()
    return doc


def with_activity(doc: dict, activity: dict) -> dict:
    doc = normalise(doc)
    for index, item in enumerate(doc["items"]):
        if item["id"] == activity["id"]:
            doc["items"][index] = activity
            return doc
    doc["items"].append(activity)
    return doc


def without_activity(doc: dict, activity_id: str) -> dict:
    doc = normalise(doc)
    doc["items"] = [item for item in doc["items"] if item["id"] != activity_id]
    return doc


def shifted(doc: dict, activity_id: str, step: int) -> dict:
    doc = normalise(doc)
    ids = [item["id"] for item in doc["items"]]
    if activity_id not in ids:
        raise DomainError(_("This activity is no longer in the agenda. Look at the page again."))
    index = ids.index(activity_id)
    target = max(0, min(len(ids) - 1, index + step))
    item = doc["items"].pop(index)
    doc["items"].insert(target, item)
    return doc


def move_to_horizon(user: User, source: Agenda, base: int, activity_id: str, target_horizon: int) -> Agenda:
    """Move an activity to another horizon's agenda: two revisions in one transaction."""
    if target_horizon == source.horizon:
        raise DomainError(_("Choose another horizon."))
    issue = db.session.get(Issue, source.issue_id)
    target = agenda_for(issue, target_horizon, create=True)
    for agenda in sorted((source, target), key=lambda a: a.id):  # lock both, always in the same order
        _lock(agenda)
    current = document(source)  # the activity as it is now, not as the page showed it
    activity = next((item for item in current["items"] if item["id"] == activity_id), None)
    if activity is None or base > source.current_revision:
        raise DomainError(_("This activity is no longer in this agenda. Look at the page again."))
    if any(item["id"] == activity_id for item in document(target)["items"]):
        raise DomainError(_("This activity is already in the other agenda."))
    args = {"title": activity["title"]}
    save(
        user,
        source,
        source.current_revision,
        without_activity(current, activity_id),
        "",
        event="moved_out",
        event_args={**args, "n": target_horizon},
    )
    save(
        user,
        target,
        target.current_revision,
        with_activity(document(target), activity),
        "",
        event="moved_in",
        event_args={**args, "n": source.horizon},
    )
    return target


def shortlisted(issue: Issue) -> bool:
    return issue.status == IssueStatus.SHORTLISTED.value
