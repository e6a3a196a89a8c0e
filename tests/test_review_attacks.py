"""Attacks tried in the review of issue 12 that found a hole; each test failed before its fix."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from tests.covenant_helpers import make_covenant


def _unpublish(app, process_id):
    from app.processes.models import Process

    with app.app_context():
        db.session.execute(sa.update(Process).where(Process.id == process_id).values(published_at=None))
        db.session.commit()


def test_a_covenant_of_an_unpublished_process_is_not_opened_and_mails_nobody(app, client, auth, outbox):
    """Opening mails every signatory a link; in an unpublished process they would get its title and a 404."""
    world = make_covenant(app)
    _unpublish(app, world.process.id)
    auth.login(world.drafter.email)
    outbox.clear()
    refused = client.post(f"/covenants/{world.covenant_id}/open")
    assert refused.status_code == 400
    assert "Publiceer eerst het proces" in refused.get_data(as_text=True)
    assert outbox == []
    from app.covenants.models import Covenant

    with app.app_context():
        assert db.session.get(Covenant, world.covenant_id).status == "draft"


def test_answering_an_objection_on_a_hidden_issue_is_404_for_members_and_works_for_the_director(app):
    """The answer route reached the issue through the agenda, which is None once the issue is hidden: a 500."""
    from app.agendas.models import ConsentAnswer
    from app.issues.models import Issue
    from tests.test_agendas import browser_for, setup, texts
    from tests.test_consent_and_links import READY, answer, consent

    _process, issue = setup(app)
    member, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    objector, _ = browser_for(app, role="partner", org="De Goede Woning")
    texts(member, issue, 0, **READY)
    consent(director, issue, "open")
    answer(objector, issue, "object", "De kosten voor verlichting ontbreken nog.")
    with app.app_context():
        objection_id = db.session.scalar(sa.select(ConsentAnswer.id).where(ConsentAnswer.answer == "object"))
        db.session.get(Issue, issue.id).visibility = "hidden"
        db.session.commit()
    reply = {"response": "De gemeente betaalt het, uit het wijkbudget."}
    assert member.post(f"/consent-answers/{objection_id}/respond", data=reply).status_code == 404
    answered = director.post(f"/consent-answers/{objection_id}/respond", data=reply)
    assert answered.status_code == 302 and answered.headers["Location"].endswith(
        f"/issues/{issue.id}/agendas/1#consent"
    )


def test_withdrawing_a_reaction_on_a_hidden_issue_does_not_show_the_issue_title(app, client, auth):
    """The withdraw page loads the issue including hidden ones (the author may withdraw at any time) and
    showed its title to someone who sees only a placeholder on the issue's own page."""
    from app.issues.models import Comment, Issue
    from tests.conftest import make_issue, make_process, make_user

    process = make_process(app)
    issue = make_issue(app, process.id, make_user(app).id, title="Ruzie bij nummer zeventien")
    auth.login_as("resident")
    placed = client.post(
        f"/issues/{issue.id}/comments",
        data={"body": "Ik heb hier een mening over, en die deel ik.", "stance": "for", "kind": "argument"},
    )
    assert placed.status_code == 302
    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
        db.session.get(Issue, issue.id).visibility = "hidden"
        db.session.commit()
    page = client.get(f"/comments/{comment_id}/withdraw")
    assert page.status_code == 200 and "Terug naar het onderwerp" in page.get_data(as_text=True)
    assert "zeventien" not in page.get_data(as_text=True)
    assert client.post(f"/comments/{comment_id}/withdraw").status_code == 302  # withdrawing still works
