"""Consent rounds (instemmingsrondes): from a draft agenda to an agreed one.

The wijkregisseur opens a round when the group thinks the agenda is ready. Members answer:
agree, agree with concerns, or object with a reason. An objection must be answered, with a
reply or a new revision, before the round can close as agreed. An agreed agenda is fixed at
that revision; saving it again makes it a draft that needs a new round.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, User
from app.agendas.models import Agenda, AgendaStatus, Answer, ConsentAnswer, ConsentRound
from app.agendas.services import REQUIRED_FOR_CONSENT, _lock, document
from app.errors import DomainError, unique_or
from app.extensions import db
from app.issues.models import Issue
from app.issues.visibility import get_including_hidden
from app.models_common import utcnow
from app.notifications import events


def open_round_of(agenda: Agenda | None) -> ConsentRound | None:
    if agenda is None:
        return None
    return db.session.scalar(
        sa.select(ConsentRound).where(ConsentRound.agenda_id == agenda.id, ConsentRound.open.is_(True))
    )


def missing_for_consent(agenda: Agenda) -> list[str]:
    fields = document(agenda)["fields"]
    return [name for name in REQUIRED_FOR_CONSENT if not (fields.get(name) or "").strip()]


def open_round(actor, agenda: Agenda) -> ConsentRound:
    agenda = _lock(agenda)  # two clicks at once open one round
    if agenda.current_revision == 0:
        raise DomainError(_("Write the agenda first."))
    if open_round_of(agenda) is not None:
        raise DomainError(_("A consent round is already open."))
    if missing_for_consent(agenda):
        raise DomainError(_("Fill in the summary, the review moment, who reviews and how success is judged first."))
    round_ = ConsentRound(agenda_id=agenda.id, revision_number=agenda.current_revision, opened_by_id=actor.id)
    db.session.add(round_)
    agenda.status = AgendaStatus.CONSENT.value
    db.session.flush()
    events.record(
        "consent_opened",
        actor=actor,
        issue=_issue_of(agenda),
        agenda=agenda,
        horizon=agenda.horizon,
        revision=round_.revision_number,
    )
    return round_


def _issue_of(agenda: Agenda) -> Issue:
    """The agenda's issue, also when it is hidden (who hears of it is decided with visibility in mind)."""
    return get_including_hidden(Issue, agenda.issue_id)


def answer(user, round_: ConsentRound, agenda: Agenda, value: str, reason: str) -> ConsentAnswer:
    agenda = _lock(agenda)
    db.session.refresh(round_)
    if not round_.open:
        raise DomainError(_("This consent round is closed."), "answer")
    if value not in {a.value for a in Answer}:
        raise DomainError(_("Choose one of the options."), "answer")
    reason = (reason or "").strip()
    if value in (Answer.OBJECT.value, Answer.CONCERNS.value) and len(reason) < 10:
        raise DomainError(_("Explain your objection or concern in at least 10 characters."), "reason")
    existing = db.session.scalar(
        sa.select(ConsentAnswer).where(ConsentAnswer.round_id == round_.id, ConsentAnswer.user_id == user.id)
    )
    # The same open objection sent again raises nothing new; a new, changed or reopened one does.
    same_objection = existing is not None and existing.open_objection and existing.reason == reason
    if existing is None:
        with unique_or(DomainError(_("Please try again."), "answer")):
            existing = ConsentAnswer(
                round_id=round_.id,
                user_id=user.id,
                answer=value,
                reason=reason,
                revision_number=agenda.current_revision,
            )
            db.session.add(existing)
    else:  # a member may change their answer while the round is open
        existing.answer, existing.reason = value, reason
        existing.revision_number = agenda.current_revision
        existing.answered_at = utcnow()
        existing.response, existing.response_revision = "", None
        existing.responded_by_id, existing.responded_at = None, None
    db.session.flush()
    if value == Answer.OBJECT.value and not same_objection:
        events.record(
            "objection_raised",
            actor=user,
            issue=_issue_of(agenda),
            agenda=agenda,
            horizon=agenda.horizon,
            answer_id=existing.id,
        )
    return existing


def respond(actor, objection: ConsentAnswer, agenda: Agenda, text: str, with_revision: bool) -> None:
    """Answer an objection with a reply, or by pointing at the revision that deals with it."""
    if objection.answer != Answer.OBJECT.value:
        raise DomainError(_("Only objections need an answer."), "response")
    text = (text or "").strip()
    before = (objection.responded_at is not None, objection.response, objection.response_revision)
    if with_revision:
        if agenda.current_revision <= objection.revision_number:
            raise DomainError(_("Save a new revision of the agenda first, then point to it."), "response")
        objection.response_revision = agenda.current_revision
    elif len(text) < 10:
        raise DomainError(_("Write your answer to the objection in at least 10 characters."), "response")
    objection.response = text[:5000]
    objection.responded_by_id = actor.id
    objection.responded_at = utcnow()
    db.session.flush()
    if before != (True, objection.response, objection.response_revision):  # not the same answer sent again
        events.record(
            "objection_answered",
            actor=actor,
            issue=_issue_of(agenda),
            agenda=agenda,
            horizon=agenda.horizon,
            answer_id=objection.id,
            objector_id=objection.user_id,
            revision=objection.response_revision,
        )


def answers(round_: ConsentRound | None) -> list[ConsentAnswer]:
    if round_ is None:
        return []
    who = selectinload(User.memberships).selectinload(Membership.organisation)
    return list(
        db.session.scalars(
            sa.select(ConsentAnswer)
            .where(ConsentAnswer.round_id == round_.id)
            .order_by(ConsentAnswer.answered_at)
            .options(
                selectinload(ConsentAnswer.user).options(who), selectinload(ConsentAnswer.responded_by).options(who)
            )
        )
    )


def close_round(actor, round_: ConsentRound, agenda: Agenda) -> None:
    """Close as agreed: every objection answered, and members who are not the chair agreed on this very revision.

    Answers given on an earlier revision do not count: the text changed since.
    """
    agenda = _lock(agenda)
    db.session.refresh(round_)
    if not round_.open:
        raise DomainError(_("This consent round is closed."))
    given = answers(round_)
    waiting = [a for a in given if a.open_objection]
    if waiting:
        raise DomainError(_("%(n)d objections still need an answer.", n=len(waiting)))
    current = [
        a
        for a in given
        if a.revision_number == round_.revision_number
        and a.answer in (Answer.AGREE.value, Answer.CONCERNS.value)
        and a.user_id != actor.id
    ]
    if not current:
        stale = sum(1 for a in given if a.revision_number != round_.revision_number)
        if stale:
            raise DomainError(
                _(
                    "The agenda changed after %(n)d members answered. They need to answer on the "
                    "latest revision first.",
                    n=stale,
                )
            )
        raise DomainError(_("No member has agreed yet."))
    round_.open, round_.agreed, round_.closed_at = False, True, utcnow()
    agenda.status = AgendaStatus.AGREED.value
    agenda.agreed_revision = round_.revision_number
    db.session.flush()


def cancel_round(actor, round_: ConsentRound, agenda: Agenda) -> None:
    round_.open, round_.closed_at = False, utcnow()
    agenda.status = AgendaStatus.DRAFT.value
    db.session.flush()
