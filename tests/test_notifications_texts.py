"""Every kind of event says in one line what happened and where to look, in Dutch and in English
(app/notifications/describe.py)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.notifications.kinds import KINDS
from tests.conftest import make_issue, make_process, make_user


@pytest.fixture
def world(app):
    from app.accounts.models import Membership
    from app.agendas.models import Agenda
    from app.covenants.models import Covenant
    from app.issues.models import Comment

    process = make_process(app, phase="agendas")
    author = make_user(app, role="resident")
    partner = make_user(app, role="partner", org="De Goede Woning")
    director = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, author.id, title="Speeltuin", status="shortlisted")
    target = make_issue(app, process.id, partner.id, title="Spelen in de wijk")
    with app.app_context():
        comment = Comment(issue_id=issue.id, author_id=partner.id, body="Wij helpen graag mee.")
        db.session.add(comment)
        db.session.flush()
        reply = Comment(issue_id=issue.id, author_id=author.id, parent_id=comment.id, body="Dank u wel!")
        agenda = Agenda(issue_id=issue.id, horizon=5)
        covenant = Covenant(process_id=process.id, title="Veilig spelen", status="open", current_version=2)
        db.session.add_all([reply, agenda, covenant])
        db.session.commit()
        membership = db.session.query(Membership).filter_by(user_id=partner.id).one()
        return {
            "process": process.id,
            "author": author.id,
            "partner": partner.id,
            "director": director.id,
            "issue": issue.id,
            "target": target.id,
            "comment": comment.id,
            "reply": reply.id,
            "agenda": agenda.id,
            "covenant": covenant.id,
            "membership": membership.id,
        }


def _event(world, kind: str):
    """An event of `kind` as the services record it (not told to anyone: only its words are tested)."""
    from app.notifications.models import Event

    data = {
        "rationale": "Veel steun uit de **wijk**.",
        "reason": "Dit past beter bij een ander onderwerp.",
        "feedback": "Dank voor uw idee.",
        "target_id": world["target"],
        "target_title": "Spelen in de wijk",
        "horizon": 5,
        "answer_id": 1,
        "objector_id": world["author"],
        "version": 2,
        "party": "De Goede Woning",
        "reference": "RV-2026-14",
        "user_id": world["author"],
    }
    actor = world["partner"] if kind in ("issue_answered", "issue_reaction", "comment_reply") else world["director"]
    event = Event(
        kind=kind,
        actor_id=actor,
        process_id=world["process"],
        issue_id=world["issue"] if "covenant" not in kind and "membership" not in kind else None,
        comment_id=world["reply"] if kind == "comment_reply" else world["comment"],
        covenant_id=world["covenant"] if kind.startswith("covenant_") else None,
        agenda_id=world["agenda"] if kind in ("consent_opened", "objection_raised", "objection_answered") else None,
        membership_id=world["membership"] if kind.startswith("membership_") else None,
        data=data,
    )
    db.session.add(event)
    db.session.flush()
    return event


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_line_and_a_link_in_both_languages(app, world, kind):
    from app.notifications.describe import describe
    from app.notifications.texts import TEXTS

    assert kind in TEXTS, f"{kind} has no words of its own (app/notifications/texts.py)"

    with app.test_request_context():
        event = _event(world, kind)
        dutch = describe(event, "nl", reader=world["author"])
        english = describe(event, "en", reader=world["author"])
        mail = describe(event, "nl", reader=world["author"], absolute=True)
    for line in (dutch, english):
        assert line.text and "%(" not in line.text and "\n" not in line.text, (kind, line)
        assert line.url.startswith("/"), (kind, line)
    assert dutch.text != english.text, (kind, dutch.text)  # translated, not the English source
    assert mail.url.startswith("http://localhost/") and mail.url.endswith(dutch.url.split("/", 3)[-1])


def test_the_words_say_what_happened_to_whom(app, world):
    from app.notifications.describe import describe

    with app.test_request_context():
        shortlisted = _event(world, "issue_shortlisted")
        assert describe(shortlisted, "nl", reader=world["author"]).text == (
            "Uw onderwerp ‘Speeltuin’ is gekozen voor de agenda: Veel steun uit de wijk."
        )
        # a follower or supporter reads "the issue", not "your issue"
        assert describe(shortlisted, "en", reader=world["partner"]).text == (
            "The issue “Speeltuin” was chosen for the agenda: Veel steun uit de wijk."
        )
        merged = describe(_event(world, "issue_merged"), "nl", reader=world["author"])
        assert merged.text == "Uw onderwerp ‘Speeltuin’ is samengevoegd met ‘Spelen in de wijk’"
        assert merged.url == f"/issues/{world['target']}"  # where it went
        answered = describe(_event(world, "issue_answered"), "nl", reader=world["author"])
        assert answered.text == "Een partner heeft gereageerd op uw onderwerp ‘Speeltuin’"
        assert answered.url == f"/comments/{world['comment']}/replies#comment-{world['comment']}"
        reply = describe(_event(world, "comment_reply"), "nl", reader=world["partner"])
        assert reply.text == "Iemand antwoordde op uw reactie bij ‘Speeltuin’"
        assert reply.url == f"/comments/{world['comment']}/replies#comment-{world['reply']}"
        opened = describe(_event(world, "covenant_opened"), "nl")
        assert opened.text == "Het convenant ‘Veilig spelen’ is klaar om te ondertekenen (versie 2)"
        paused = describe(_event(world, "covenant_paused"), "nl")
        assert (
            paused.text
            == "Ondertekenen van het convenant ‘Veilig spelen’ is gepauzeerd door de gemeenteraad (RV-2026-14)"
        )
        consent = describe(_event(world, "consent_opened"), "en")
        assert consent.url == f"/issues/{world['issue']}/agendas/5#consent"


def test_a_title_no_longer_visible_is_not_named(app, world):
    from app.issues.models import Issue
    from app.notifications.describe import describe

    with app.test_request_context():
        event = _event(world, "issue_merged")
        db.session.get(Issue, world["target"]).visibility = "hidden"  # the target hidden since
        line = describe(event, "nl", reader=world["author"])
        assert "Spelen in de wijk" not in line.text and line.url == f"/issues/{world['issue']}"
        db.session.get(Issue, world["issue"]).visibility = "hidden"
        line = describe(event, "nl", reader=world["author"])
        assert "Speeltuin" not in line.text and "niet meer zichtbaar" in line.text
