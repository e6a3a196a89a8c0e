"""With pre-moderation on, a change to a checked contribution waits for a check; the checked text stays shown."""

import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Comment, CommentRevision, Issue, IssueRevision
from app.moderation.edits import PendingEdit
from app.moderation.models import ModerationAction
from app.processes.models import Process
from tests.conftest import PASSWORD, make_process, make_user

CHECKED = "Er zijn te weinig bankjes voor ouderen in het park."
UNCHECKED = "Koop nu goedkope horloges op www.example.com!"


def login(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def issue_form(description=CHECKED, title="Bankjes in het park", **changes):
    data = {
        "title": title,
        "description": description,
        "domains": ["social"],
        "breadth": "single",
        "scale": "small",
        "term": "short",
        "step": "publish",
    }
    data.update(changes)
    return data


def act(client, target_type, target_id, group, action, reason="Gecontroleerd door de wijkregisseur."):
    data = {"group": group, f"{group}-action": action, f"{group}-reason": reason}
    return client.post(f"/moderation/{target_type}/{target_id}", data=data)


def premoderated_process(app, first=1):
    process = make_process(app, phase="issues")
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = first
        db.session.commit()
    return process


def approved_issue(app, process, author_client, moderator):
    """A newcomer's issue, checked and approved: what everyone sees."""
    assert author_client.post(f"/processes/{process.slug}/issues/new", data=issue_form()).status_code == 302
    with app.app_context():
        issue_id = db.session.scalar(sa.select(Issue.id).where(Issue.title == "Bankjes in het park"))
    assert act(moderator, "issue", issue_id, "visibility", "approve").status_code == 302
    return issue_id


def public_page(app, issue_id) -> str:
    return app.test_client().get(f"/issues/{issue_id}").get_data(as_text=True)


def test_a_change_to_an_approved_issue_waits_and_the_checked_text_stays(app, outbox):
    process = premoderated_process(app)
    newcomer = make_user(app)
    writer = login(app, newcomer)
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, writer, moderator)

    response = writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=UNCHECKED))
    assert response.status_code == 302
    assert "wacht op een controle" in writer.get(response.headers["Location"]).get_data(as_text=True)
    page = public_page(app, issue_id)
    assert CHECKED in page and "horloges" not in page  # nobody sees unchecked text; nothing vanished
    assert "Bankjes in het park" in app.test_client().get(f"/processes/{process.slug}/issues").get_data(as_text=True)
    # the author sees that it waits, and goes on from the change
    assert "Uw wijziging wacht op een controle" in writer.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "horloges" in writer.get(f"/issues/{issue_id}/edit").get_data(as_text=True)

    queue = moderator.get("/moderation").get_data(as_text=True)
    assert "1 wijziging van een gecontroleerde bijdrage om te controleren" in queue
    assert CHECKED in queue and UNCHECKED in queue  # both versions, as a diff
    refused = act(moderator, "issue", issue_id, "edit", "reject_edit", reason="Dit is reclame voor een webwinkel.")
    assert refused.status_code == 302
    assert CHECKED in public_page(app, issue_id)
    assert "niet goedgekeurd" in outbox[-1].body and "reclame" in outbox[-1].body and outbox[-1].to == newcomer.email
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEdit)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssueRevision)) == 0
    assert "1 wijziging" not in moderator.get("/moderation").get_data(as_text=True)


def test_an_approved_change_is_applied_and_the_earlier_text_kept(app, outbox):
    process = premoderated_process(app)
    writer = login(app, make_user(app))
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, writer, moderator)
    better = "Er zijn te weinig bankjes voor ouderen in het park bij de vijver."
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=better))
    assert act(moderator, "issue", issue_id, "edit", "approve_edit").status_code == 302
    page = public_page(app, issue_id)
    assert "bij de vijver" in page
    assert "gecontroleerd en is nu voor iedereen zichtbaar" in outbox[-1].body
    with app.app_context():
        revision = db.session.scalar(sa.select(IssueRevision))
        assert revision.description == CHECKED
        assert [a for (a,) in db.session.execute(sa.select(ModerationAction.action))] == ["approve", "approve_edit"]
    assert "Wijziging goedgekeurd na controle" in app.test_client().get("/moderation/log").get_data(as_text=True)


def test_a_new_change_replaces_the_one_that_waits(app):
    process = premoderated_process(app)
    writer = login(app, make_user(app))
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, writer, moderator)
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=UNCHECKED))
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=CHECKED + " Vooral bij de speeltuin."))
    with app.app_context():
        held = db.session.scalars(sa.select(PendingEdit)).all()
        assert len(held) == 1 and held[0].changes == {"description": CHECKED + " Vooral bij de speeltuin."}
    # going back to the checked text: nothing waits any more
    writer.post(f"/issues/{issue_id}/edit", data=issue_form())
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEdit)) == 0


def test_approving_applies_only_what_the_author_changed(app):
    """The moderator corrected the classification meanwhile: approving the author's text keeps that."""
    process = premoderated_process(app)
    writer = login(app, make_user(app))
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, writer, moderator)
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(title="Bankjes in het park, graag"))
    classify = {
        "domains": ["social", "physical"],
        "breadth": "broad",
        "scale": "small",
        "term": "short",
        "reason": "Het gaat ook over de inrichting van het park.",
    }
    assert moderator.post(f"/moderation/issue/{issue_id}/classification", data=classify).status_code == 302
    assert act(moderator, "issue", issue_id, "edit", "approve_edit").status_code == 302
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        assert issue.title == "Bankjes in het park, graag"
        assert sorted(d.value for d in issue.domains) == ["physical", "social"] and issue.breadth == "broad"


def test_a_change_to_an_approved_reaction_waits_too(app):
    process = premoderated_process(app)
    author = make_user(app)
    writer = login(app, author)
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, login(app, make_user(app)), moderator)
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = 2
        db.session.commit()
    writer.post(f"/issues/{issue_id}/comments", data={"body": CHECKED, "stance": "for", "kind": "experience"})
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        assert comment.visibility == "pending"
    # while it waits for its first check, a change simply applies (nobody else sees it yet)
    writer.post(
        f"/comments/{comment.id}/edit", data={"body": CHECKED + " Echt.", "stance": "for", "kind": "experience"}
    )
    with app.app_context():
        assert db.session.get(Comment, comment.id).body == CHECKED + " Echt."
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEdit)) == 0
    assert act(moderator, "comment", comment.id, "visibility", "approve").status_code == 302

    writer.post(f"/comments/{comment.id}/edit", data={"body": UNCHECKED, "stance": "for", "kind": "experience"})
    assert "horloges" not in public_page(app, issue_id) and "Echt." in public_page(app, issue_id)
    assert "Uw wijziging wacht op een controle" in writer.get(f"/issues/{issue_id}").get_data(as_text=True)
    item = moderator.get(f"/moderation/comment/{comment.id}").get_data(as_text=True)
    assert "Een wijziging die wacht op controle" in item and "horloges" in item
    assert act(moderator, "comment", comment.id, "edit", "approve_edit").status_code == 302
    assert "horloges" in public_page(app, issue_id) and "bewerkt op" in public_page(app, issue_id)
    with app.app_context():
        assert db.session.scalar(sa.select(CommentRevision.body).order_by(CommentRevision.id.desc())) == (
            CHECKED + " Echt."
        )


def test_withdrawing_a_reaction_drops_its_waiting_change(app):
    process = premoderated_process(app)
    writer = login(app, make_user(app))
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, writer, moderator)
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = 5
        db.session.commit()
    writer.post(f"/issues/{issue_id}/comments", data={"body": CHECKED, "stance": "for", "kind": "experience"})
    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
    act(moderator, "comment", comment_id, "visibility", "approve")
    writer.post(f"/comments/{comment_id}/edit", data={"body": UNCHECKED, "stance": "for", "kind": "experience"})
    writer.post(f"/comments/{comment_id}/withdraw")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingEdit)) == 0


def test_changes_by_trusted_authors_apply_at_once(app):
    """Without pre-moderation, by the municipality, or to a contribution that was never checked: no wait."""
    process = make_process(app, phase="issues")
    writer = login(app, make_user(app))
    writer.post(f"/processes/{process.slug}/issues/new", data=issue_form())
    with app.app_context():
        issue_id = db.session.scalar(sa.select(Issue.id))
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=CHECKED + " Zonder controle."))
    assert "Zonder controle." in public_page(app, issue_id)
    # pre-moderation switched on later: the author has a shown contribution, so is past the first check
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = 1
        db.session.commit()
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=CHECKED + " Nog steeds."))
    assert "Nog steeds." in public_page(app, issue_id)
    director = login(app, make_user(app, role="wijkregisseur"))
    director.post(
        f"/issues/{issue_id}/comments", data={"body": "Wij kijken ernaar.", "stance": "neutral", "kind": "question"}
    )
    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
    director.post(
        f"/comments/{comment_id}/edit",
        data={"body": "Wij kijken er deze week naar.", "stance": "neutral", "kind": "question"},
    )
    assert "deze week" in public_page(app, issue_id)


def test_an_author_still_checked_first_waits_even_on_a_contribution_never_checked(app):
    process = premoderated_process(app, first=0)
    writer = login(app, make_user(app))
    writer.post(f"/processes/{process.slug}/issues/new", data=issue_form())
    with app.app_context():
        issue_id = db.session.scalar(sa.select(Issue.id))
        db.session.get(Process, process.id).premoderate_first = 3  # now the first three are checked
        db.session.commit()
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=UNCHECKED))
    assert "horloges" not in public_page(app, issue_id)


def test_only_moderators_approve_or_reject_a_change(app):
    process = premoderated_process(app)
    writer = login(app, make_user(app))
    moderator = login(app, make_user(app, role="wijkregisseur"))
    issue_id = approved_issue(app, process, writer, moderator)
    writer.post(f"/issues/{issue_id}/edit", data=issue_form(description=UNCHECKED))
    for role in ("resident", "partner", "wethouder"):
        other = login(app, make_user(app, role=role, org="Buurtkracht" if role == "partner" else None))
        assert act(other, "issue", issue_id, "edit", "approve_edit").status_code == 403, role
    assert act(writer, "issue", issue_id, "edit", "approve_edit").status_code == 403
    assert act(app.test_client(), "issue", issue_id, "edit", "approve_edit").status_code == 302  # to login
    assert "horloges" not in public_page(app, issue_id)
    # an approval without a pending change (approved already, stale page) changes nothing
    assert act(moderator, "issue", issue_id, "edit", "approve_edit").status_code == 302
    assert act(moderator, "issue", issue_id, "edit", "approve_edit").status_code in (302, 400)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ModerationAction)
                .where(ModerationAction.action == "approve_edit")
            )
            == 1
        )
