"""Every event of issue #13 is recorded where it happens, once, with its references and its few words.

Each test does the real thing through the pages, as the role that may do it, and then looks at the `events`
table: exactly one row of the kind, naming the right issue, reaction, covenant, agenda or membership, with the
data a notification needs. A refused, invalid or rolled-back action leaves no event; a reaction that waits for
a check is announced only when a moderator lets it through. Working groups, memberships and covenants:
tests/test_events_of_groups_and_covenants.py. Who hears of an event is app/notifications' business; here
only that it is recorded.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.kinds import KINDS
from app.notifications.models import Event
from tests.conftest import PASSWORD, make_issue, make_process, make_user

COMMENT = {"body": "Ik zie dit ook elke avond gebeuren.", "stance": "for", "kind": "experience"}
REASON = "Dit past goed bij wat de buurt wil, zo bleek op de avond."


# --- helpers -----------------------------------------------------------------------------------


def recorded(app, kind: str | None = None) -> list[SimpleNamespace]:
    with app.app_context():
        stmt = sa.select(Event).order_by(Event.id)
        if kind is not None:
            stmt = stmt.where(Event.kind == kind)
        return [
            SimpleNamespace(
                kind=e.kind,
                actor_id=e.actor_id,
                process_id=e.process_id,
                issue_id=e.issue_id,
                comment_id=e.comment_id,
                covenant_id=e.covenant_id,
                agenda_id=e.agenda_id,
                membership_id=e.membership_id,
                data=dict(e.data or {}),
            )
            for e in db.session.scalars(stmt)
        ]


def kinds(app) -> list[str]:
    return [e.kind for e in recorded(app)]


def only(app, kind: str) -> SimpleNamespace:
    found = recorded(app, kind)
    assert len(found) == 1, f"{kind}: {found}"
    return found[0]


def browser(app, role="resident", **kwargs):
    """A client logged in as a new person with `role`; returns (client, person)."""
    if role == "partner":
        kwargs.setdefault("org", "Welzijn Zoetermeer")
    person = make_user(app, role=role, **kwargs)
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client, person


def login(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def comment_ids(app, author_id) -> list[int]:
    from app.issues.models import Comment
    from app.issues.visibility import including_hidden

    with app.app_context():
        return list(
            db.session.scalars(
                including_hidden(sa.select(Comment.id).where(Comment.author_id == author_id).order_by(Comment.id))
            )
        )


def react(client, issue_id, body=COMMENT["body"], parent_id=None):
    data = {**COMMENT, "body": body}
    if parent_id is not None:
        data["parent_id"] = str(parent_id)
    return client.post(f"/issues/{issue_id}/comments", data=data)


def moderate(client, target_type, target_id, group, action, reason="Gecontroleerd door de wijkregisseur.", **extra):
    data = {"group": group, f"{group}-action": action, f"{group}-reason": reason}
    data.update({f"{group}-{key}": value for key, value in extra.items()})
    return client.post(f"/moderation/{target_type}/{target_id}", data=data)


def decide(client, issue_id, decision, reason=REASON, target_id=""):
    data = {"decide-decision": decision, "decide-reason": reason, "decide-target_id": str(target_id)}
    return client.post(f"/issues/{issue_id}/decide", data=data)


@pytest.fixture
def place(app):
    """A process in the issues phase with a resident's issue."""
    process = make_process(app, phase="issues")
    author = make_user(app, name="Rosa Bewoner")
    issue = make_issue(app, process.id, author.id, title="Donker fietspad bij de school")
    return SimpleNamespace(process=process, author=author, issue=issue)


def premoderate(app, process_id, first=1):
    from app.processes.models import Process

    with app.app_context():
        db.session.get(Process, process_id).premoderate_first = first
        db.session.commit()


# --- every kind is wired somewhere ---------------------------------------------------------------


def test_every_kind_is_recorded_by_some_service():
    """A kind nobody records is a promise in the preferences page that never arrives."""
    app_dir = Path(__file__).resolve().parent.parent / "app"
    named = set()
    for path in app_dir.rglob("*.py"):
        if path.parent.name == "notifications":
            continue
        source = path.read_text(encoding="utf-8")
        if "events.record(" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KINDS:
                named.add(node.value)
    assert named == set(KINDS), sorted(set(KINDS) - named)


# --- reactions, answers and replies --------------------------------------------------------------


def test_a_residents_reaction_is_recorded_with_its_issue_and_reaction(app, place):
    neighbour, person = browser(app)
    assert react(neighbour, place.issue.id).status_code == 302
    (comment_id,) = comment_ids(app, person.id)
    event = only(app, "issue_reaction")
    assert (event.issue_id, event.comment_id, event.actor_id) == (place.issue.id, comment_id, person.id)
    assert event.process_id == place.process.id and event.data == {}
    assert kinds(app) == ["issue_reaction"]


@pytest.mark.parametrize("role", ["wijkregisseur", "facilitator", "wethouder", "partner"])
def test_a_reaction_of_the_municipality_or_a_partner_on_a_residents_issue_is_an_answer(app, place, role):
    client, person = browser(app, role=role)
    assert react(client, place.issue.id).status_code == 302
    (comment_id,) = comment_ids(app, person.id)
    event = only(app, "issue_answered")
    assert (event.issue_id, event.comment_id, event.actor_id) == (place.issue.id, comment_id, person.id)
    assert kinds(app) == ["issue_answered"]


def test_a_partners_reaction_on_a_partners_issue_is_no_answer(app):
    process = make_process(app, phase="issues")
    author = make_user(app, role="partner", org="Woningcorporatie De Veste")
    issue = make_issue(app, process.id, author.id)
    client, _person = browser(app, role="partner")
    assert react(client, issue.id).status_code == 302
    assert kinds(app) == ["issue_reaction"]


def test_replies_name_the_reaction_they_answer(app, place):
    first, first_person = browser(app)
    assert react(first, place.issue.id, "Wie weet waar de lantaarn is gebleven?").status_code == 302
    (root,) = comment_ids(app, first_person.id)
    second, second_person = browser(app)
    assert react(second, place.issue.id, "Die is vorig jaar weggehaald.", parent_id=root).status_code == 302
    (reply,) = comment_ids(app, second_person.id)
    # an answer to the reply joins the thread (one level), and still names the reply it answers
    assert react(first, place.issue.id, "Dank je, dat wist ik niet.", parent_id=reply).status_code == 302
    answer_to_reply = comment_ids(app, first_person.id)[-1]

    replies = recorded(app, "comment_reply")
    assert [(e.comment_id, e.data) for e in replies] == [
        (reply, {"reply_to": root}),
        (answer_to_reply, {"reply_to": reply}),
    ]
    assert all(e.issue_id == place.issue.id for e in replies)
    with app.app_context():
        from app.issues.models import Comment

        assert db.session.get(Comment, answer_to_reply).parent_id == root
    assert kinds(app) == ["issue_reaction", "comment_reply", "comment_reply"]


def test_a_municipal_reply_in_a_thread_is_an_answer_that_names_the_reaction(app, place):
    neighbour, person = browser(app)
    react(neighbour, place.issue.id)
    (root,) = comment_ids(app, person.id)
    director, director_person = browser(app, role="wijkregisseur")
    assert react(director, place.issue.id, "We kijken er deze week naar.", parent_id=root).status_code == 302
    event = only(app, "issue_answered")
    assert event.comment_id == comment_ids(app, director_person.id)[0] and event.data == {"reply_to": root}


def test_a_refused_invalid_or_repeated_reaction_records_nothing_more(app, place):
    neighbour, _person = browser(app)
    assert neighbour.post(f"/issues/{place.issue.id}/comments", data={**COMMENT, "body": ""}).status_code == 400
    assert react(neighbour, place.issue.id, parent_id=999999).status_code == 400  # the reaction answered is gone
    assert recorded(app) == []
    assert react(neighbour, place.issue.id).status_code == 302
    assert react(neighbour, place.issue.id).status_code == 302  # sent twice: "here it is", nothing new
    assert kinds(app) == ["issue_reaction"]
    visitor = app.test_client()
    assert react(visitor, place.issue.id).status_code == 302  # to the login page
    closed = make_issue(app, place.process.id, place.author.id, title="Al besloten", status="declined")
    assert react(neighbour, closed.id).status_code in (400, 403)
    assert kinds(app) == ["issue_reaction"]


def test_a_reaction_rolled_back_announces_nothing(app, place):
    from app.accounts.models import User
    from app.issues import services
    from app.issues.models import Issue

    person = make_user(app)
    with app.app_context():
        services.add_comment(
            db.session.get(User, person.id), db.session.get(Issue, place.issue.id), "Een reactie.", "for", "experience"
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1  # in this transaction
        db.session.rollback()
    assert recorded(app) == []


# --- pre-moderation: nothing pending is announced ------------------------------------------------


def test_a_held_reaction_is_announced_when_approved_and_only_then(app, place):
    premoderate(app, place.process.id)
    newcomer, person = browser(app)
    assert react(newcomer, place.issue.id).status_code == 302
    (comment_id,) = comment_ids(app, person.id)
    assert recorded(app) == []  # waiting for a check: nobody hears of it

    director, _ = browser(app, role="wijkregisseur")
    assert moderate(director, "comment", comment_id, "visibility", "approve").status_code == 302
    event = only(app, "issue_reaction")
    assert (event.comment_id, event.actor_id, event.issue_id) == (comment_id, person.id, place.issue.id)

    # hidden and shown again later: it was announced already
    assert moderate(director, "comment", comment_id, "visibility", "hide", reason="Even weg, wordt besproken.")
    assert moderate(director, "comment", comment_id, "visibility", "restore").status_code == 302
    assert kinds(app) == ["issue_reaction"]


def test_a_held_reaction_hidden_at_once_is_announced_when_restored(app, place):
    premoderate(app, place.process.id)
    newcomer, person = browser(app)
    react(newcomer, place.issue.id, "Eerst verborgen, later toch zichtbaar.")
    (comment_id,) = comment_ids(app, person.id)
    director, _ = browser(app, role="wijkregisseur")
    assert moderate(director, "comment", comment_id, "visibility", "hide").status_code == 302
    assert recorded(app) == []
    assert moderate(director, "comment", comment_id, "visibility", "restore").status_code == 302
    assert only(app, "issue_reaction").comment_id == comment_id


def test_a_held_reply_and_a_held_answer_keep_their_kind(app, place):
    premoderate(app, place.process.id)
    neighbour, neighbour_person = browser(app)
    director, _ = browser(app, role="wijkregisseur")
    react(neighbour, place.issue.id, "De eerste reactie in deze draad.")
    (root,) = comment_ids(app, neighbour_person.id)
    moderate(director, "comment", root, "visibility", "approve")
    partner, partner_person = browser(app, role="partner")
    react(partner, place.issue.id, "Wij nemen contact op met de school.", parent_id=root)
    (answer,) = comment_ids(app, partner_person.id)
    replier, replier_person = browser(app)
    react(replier, place.issue.id, "Goed idee, ik help mee.", parent_id=root)
    (reply,) = comment_ids(app, replier_person.id)
    assert kinds(app) == ["issue_reaction"]
    moderate(director, "comment", answer, "visibility", "approve")
    moderate(director, "comment", reply, "visibility", "approve")
    assert only(app, "issue_answered").comment_id == answer
    assert (only(app, "comment_reply").comment_id, only(app, "comment_reply").data) == (reply, {"reply_to": root})


def test_a_held_reaction_withdrawn_or_hidden_is_never_announced(app, place):
    premoderate(app, place.process.id)
    newcomer, person = browser(app)
    react(newcomer, place.issue.id, "Deze trek ik terug.")
    react(newcomer, place.issue.id, "Deze wordt verborgen.")
    withdrawn, hidden = comment_ids(app, person.id)
    assert newcomer.post(f"/comments/{withdrawn}/withdraw").status_code == 302
    director, _ = browser(app, role="wijkregisseur")
    assert moderate(director, "comment", hidden, "visibility", "hide").status_code == 302
    assert recorded(app) == []


# --- decisions on issues ----------------------------------------------------------------------------


def test_shortlisting_records_the_rationale(app, place):
    director, person = browser(app, role="wijkregisseur")
    assert decide(director, place.issue.id, "shortlist", "Veel steun, en de **school** wil meedoen.").status_code == 302
    event = only(app, "issue_shortlisted")
    assert (event.issue_id, event.actor_id) == (place.issue.id, person.id)
    assert event.data == {"rationale": "Veel steun, en de school wil meedoen."}  # as readers see it: no Markdown


def test_declining_and_reopening_record_the_reason(app, place):
    director, _ = browser(app, role="wijkregisseur")
    assert decide(director, place.issue.id, "decline", "Dit valt buiten de wijk, helaas.").status_code == 302
    assert only(app, "issue_declined").data == {"reason": "Dit valt buiten de wijk, helaas."}
    assert decide(director, place.issue.id, "reopen", "Toch binnen de wijk, bleek later.").status_code == 302
    assert only(app, "issue_reopened").data == {"reason": "Toch binnen de wijk, bleek later."}


def test_a_long_reason_is_kept_short(app, place):
    director, _ = browser(app, role="wijkregisseur")
    long_reason = "Een lange uitleg. " * 200
    assert decide(director, place.issue.id, "decline", long_reason).status_code == 302
    reason = only(app, "issue_declined").data["reason"]
    assert len(reason) <= 500 and reason.endswith("…")


def test_merging_records_where_it_went_and_why(app, place):
    target = make_issue(app, place.process.id, make_user(app).id, title="Verlichting in de hele wijk")
    director, person = browser(app, role="wijkregisseur")
    assert decide(director, place.issue.id, "merge", target_id=target.id).status_code == 302
    event = only(app, "issue_merged")
    assert (event.issue_id, event.actor_id) == (place.issue.id, person.id)
    assert event.data == {"target_id": target.id, "target_title": "Verlichting in de hele wijk", "reason": REASON}
    assert kinds(app) == ["issue_merged"]


def test_decline_and_merge_from_the_moderation_page_record_once(app, place):
    target = make_issue(app, place.process.id, make_user(app).id, title="Verlichting in de hele wijk")
    other = make_issue(app, place.process.id, make_user(app).id, title="Nog een onderwerp over licht")
    director, _ = browser(app, role="wijkregisseur")
    assert moderate(director, "issue", place.issue.id, "decision", "decline").status_code == 302
    assert moderate(director, "issue", other.id, "decision", "merge", merge_into=str(target.id)).status_code == 302
    assert only(app, "issue_declined").issue_id == place.issue.id
    assert only(app, "issue_merged").data["target_id"] == target.id
    assert sorted(kinds(app)) == ["issue_declined", "issue_merged"]


def test_the_moderation_page_tells_the_author_once(app, place, outbox):
    """Feedback and decisions on the moderation page are events: the author hears of them through the
    notification (at once by default), not a second time by the moderation's own mail."""
    director, _ = browser(app, role="wijkregisseur")
    outbox.clear()
    feedback = {"group": "feedback", "feedback-action": "feedback", "feedback-feedback": "We nemen dit mee."}
    assert director.post(f"/moderation/issue/{place.issue.id}", data=feedback).status_code == 302
    assert [m.to for m in outbox] == [place.author.email]
    outbox.clear()
    assert moderate(director, "issue", place.issue.id, "decision", "decline").status_code == 302
    assert [m.to for m in outbox] == [place.author.email]
    outbox.clear()
    assert moderate(director, "issue", place.issue.id, "discussion", "lock").status_code == 302
    assert [m.to for m in outbox] == [place.author.email]  # no event: the moderation's own mail


def test_the_author_withdrawing_records_the_reason(app, place):
    author = login(app, place.author)
    assert author.post(f"/issues/{place.issue.id}/withdraw", data={"reason": "Het is al opgelost."}).status_code == 302
    event = only(app, "issue_withdrawn")
    assert (event.actor_id, event.data) == (place.author.id, {"reason": "Het is al opgelost."})


def test_a_refused_or_invalid_decision_records_nothing(app, place):
    resident, _ = browser(app)
    assert decide(resident, place.issue.id, "shortlist").status_code == 403
    director, _ = browser(app, role="wijkregisseur")
    assert decide(director, place.issue.id, "shortlist", "Kort").status_code == 400  # a reason is needed
    assert decide(director, place.issue.id, "merge", target_id=place.issue.id).status_code == 400  # into itself
    assert recorded(app) == []


# --- the municipality's public feedback --------------------------------------------------------------


def test_public_feedback_is_recorded_once_per_text(app, place):
    director, person = browser(app, role="wijkregisseur")

    def feedback(text):
        return director.post(
            f"/moderation/issue/{place.issue.id}",
            data={"group": "feedback", "feedback-action": "feedback", "feedback-feedback": text},
        )

    assert feedback("Kort").status_code == 400  # too short: nothing saved, nothing told
    assert feedback("We nemen dit mee in het **buurtoverleg** van maart.").status_code == 302
    event = only(app, "issue_feedback")
    assert (event.issue_id, event.actor_id) == (place.issue.id, person.id)
    assert event.data == {"feedback": "We nemen dit mee in het buurtoverleg van maart."}
    assert feedback("We nemen dit mee in het **buurtoverleg** van maart.").status_code == 302  # the same again
    assert len(recorded(app, "issue_feedback")) == 1
    assert feedback("Het buurtoverleg is verplaatst naar april.").status_code == 302
    assert [e.data["feedback"] for e in recorded(app, "issue_feedback")][
        -1
    ] == "Het buurtoverleg is verplaatst naar april."
