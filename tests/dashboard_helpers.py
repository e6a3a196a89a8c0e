"""Data for the work overview's tests: `build_busy(app)` makes a process with a bit of everything waiting."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.extensions import db
from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user

LONG_AGO = timedelta(days=40)  # far more than 10 working days, whatever the holidays


def _set(app, model, object_id, **values):
    with app.app_context():
        obj = db.session.get(model, object_id)
        for name, value in values.items():
            setattr(obj, name, value)
        db.session.commit()


def _add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def report(app, target_type, target_id, reporter_id, resolved=False):
    from app.issues.models import Report

    _add(
        app,
        Report(
            target_type=target_type,
            target_id=target_id,
            reporter_id=reporter_id,
            reason="Dit is kwetsend.",
            resolved_at=utcnow() if resolved else None,
        ),
    )


def comment(app, issue_id, author_id, visibility="visible") -> int:
    from app.issues.models import Comment

    with app.app_context():
        found = Comment(issue_id=issue_id, author_id=author_id, body="Goed idee, doe het.", visibility=visibility)
        db.session.add(found)
        db.session.commit()
        return found.id


def objection(app, issue_id, user_id, horizon=1, answered=False):
    """An open consent round on the issue's agenda with an objection (answered or not)."""
    from app.agendas import services as agendas
    from app.agendas.models import ConsentAnswer, ConsentRound
    from app.issues.models import Issue

    with app.app_context():
        agenda = agendas.agenda_for(db.session.get(Issue, issue_id), horizon, create=True)
        db.session.flush()
        round_ = ConsentRound(agenda_id=agenda.id, revision_number=1)
        db.session.add(round_)
        db.session.flush()
        db.session.add(
            ConsentAnswer(
                round_id=round_.id,
                user_id=user_id,
                answer="object",
                reason="Dit kost te veel geld voor de wijk.",
                revision_number=1,
                response="Wij passen het aan." if answered else "",
                responded_at=utcnow() if answered else None,
            )
        )
        db.session.commit()


def section(html: str, name: str) -> str:
    """The HTML of one section of the overview (by its id)."""
    found = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0)


def href(html: str, text: str) -> str:
    found = re.search(rf'<a class="utrecht-link" href="([^"]+)">{re.escape(text)}</a>', html)
    assert found, text
    return found.group(1)


def build_busy(app):
    """A published process in phase 3 with a bit of everything waiting, and a second, quiet process."""
    from app.agendas.models import WorkingGroupMember
    from app.issues.models import Issue
    from app.moderation.edits import PendingEdit

    process = make_process(
        app, slug="buytenwegh", phase="agendas", name="Buytenwegh", dates={"covenants": (date(2030, 3, 1), None)}
    )
    quiet = make_process(app, slug="seghwaert", phase="issues", name="Seghwaert")
    resident = make_user(app, role="resident", name="Rita Bewoner")
    other = make_user(app, role="resident")
    partner = make_user(app, role="partner", org="Stichting Piëzo")
    old = utcnow() - LONG_AGO
    # Residents waiting: two old ones (the oldest first), a recent one, an answered one, a hidden one.
    oldest = make_issue(app, process.id, resident.id, title="Kapotte speeltuin", created_at=old - timedelta(days=7))
    waiting = make_issue(app, process.id, resident.id, title="Donker fietspad", created_at=old)
    make_issue(app, process.id, resident.id, title="Nieuw bankje")  # recent: in time still
    answered = make_issue(app, process.id, resident.id, title="Beantwoord onderwerp", created_at=old)
    _set(app, Issue, answered.id, first_response_at=utcnow())
    hidden = make_issue(app, process.id, resident.id, title="Verborgen klacht", created_at=old, status="shortlisted")
    _set(app, Issue, hidden.id, visibility="hidden")
    make_issue(app, process.id, partner.id, title="Onderwerp van een partner", created_at=old)  # not a resident
    make_issue(app, quiet.id, resident.id, title="Elders wachtend", created_at=old)
    # Moderation: one issue reported twice, a reaction reported once, a resolved report, two waiting for a check,
    # one held change.
    report(app, "issue", waiting.id, other.id)
    report(app, "issue", waiting.id, partner.id)
    reaction = comment(app, waiting.id, other.id)
    report(app, "comment", reaction, resident.id)
    report(app, "issue", oldest.id, other.id, resolved=True)
    fresh = make_issue(app, process.id, other.id, title="Wacht op controle")
    _set(app, Issue, fresh.id, visibility="pending")
    comment(app, oldest.id, other.id, visibility="pending")
    _add(app, PendingEdit(target_type="issue", target_id=oldest.id, issue_id=oldest.id, author_id=resident.id))
    # Members: two requests waiting, one of an address not confirmed yet (the admin page leaves it out too).
    make_user(app, role="partner", org="Halte 2717", status="pending")
    make_user(app, role="partner", org="Buurtkracht", status="pending")
    unconfirmed = make_user(app, role="partner", org="Onbevestigd", status="pending")
    from app.accounts.models import User

    _set(app, User, unconfirmed.id, email_verified_at=None)
    # Working groups: two residents ask to join the shortlisted issue.
    chosen = make_issue(app, process.id, partner.id, title="Groen plein", status="shortlisted")
    _add(
        app,
        WorkingGroupMember(issue_id=chosen.id, user_id=resident.id),
        WorkingGroupMember(issue_id=chosen.id, user_id=other.id),
        WorkingGroupMember(issue_id=hidden.id, user_id=other.id),
    )
    # Consent rounds: an objection without an answer, one with an answer, one on the hidden issue.
    objection(app, chosen.id, resident.id, horizon=1)
    objection(app, chosen.id, other.id, horizon=5, answered=True)
    objection(app, hidden.id, other.id, horizon=1)
    return {
        "process": process,
        "quiet": quiet,
        "oldest": oldest,
        "waiting": waiting,
        "hidden": hidden,
        "chosen": chosen,
    }
