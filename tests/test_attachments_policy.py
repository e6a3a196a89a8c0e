"""Who may add and remove photos and PDFs: the author while they may edit, the moderators; refusals for the rest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from app.extensions import db
from app.issues.attachment_models import IssueAttachment
from app.issues.models import Issue
from app.models_common import utcnow
from app.policy import can
from app.processes.models import PhaseKey, Process
from tests.attachment_helpers import files_in, jpeg, pdf, setup_issue, upload
from tests.conftest import PASSWORD, make_issue, make_process, make_user
from tests.test_issue_policy import issue_in
from tests.test_policy import person


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(IssueAttachment))


def attachment_rows(app):
    with app.app_context():
        return db.session.scalars(sa.select(IssueAttachment).order_by(IssueAttachment.id)).all()


def stored(app) -> list[Path]:
    return files_in(Path(app.instance_path) / "uploads")


# --- the rules ----------------------------------------------------------------------------------------


def test_the_rules_for_adding(app):
    with app.test_request_context():
        author = person("resident")
        author.id = 1
        other = person("resident")
        other.id = 2
        assert can(author, "issue.attach", issue_in())
        late = can(author, "issue.attach", issue_in(age=timedelta(hours=2)))
        assert not late and "60 minuten" in late.message
        assert not can(author, "issue.attach", issue_in(status="declined"))
        refused = can(other, "issue.attach", issue_in())
        assert not refused and refused.because == "role" and "schrijver" in refused.message
        for role in ("wijkregisseur", "admin"):
            moderator = person(role)
            moderator.id = 3
            assert can(moderator, "issue.attach", issue_in(age=timedelta(days=30), status="declined"))
        for role in ("partner", "facilitator", "wethouder", "council"):
            someone = person(role, "approved")
            someone.id = 4
            assert not can(someone, "issue.attach", issue_in())
        assert can(AnonymousUserMixin(), "issue.attach", issue_in()).needs_login
        assert can(author, "issue.attach", issue_in(phase=PhaseKey.AGENDAS))  # like correcting the text


def test_the_rules_for_removing(app):
    with app.test_request_context():
        issue = issue_in(age=timedelta(days=30), status="shortlisted")  # long after the edit window
        attachment = IssueAttachment(issue_id=10, kind="photo")
        attachment.issue = issue
        author = person("resident")
        author.id = 1
        other = person("resident")
        other.id = 2
        assert can(author, "attachment.remove", attachment)  # a photo one regrets can always go
        refused = can(other, "attachment.remove", attachment)
        assert not refused and "schrijver" in refused.message
        assert can(person("wijkregisseur"), "attachment.remove", attachment)
        assert not can(person("wethouder"), "attachment.remove", attachment)
        assert can(AnonymousUserMixin(), "attachment.remove", attachment).needs_login


# --- adding, through the pages ------------------------------------------------------------------------


def test_another_resident_may_not_add_photos(app, client, auth):
    process = make_process(app)
    author = make_user(app)
    issue = make_issue(app, process.id, author.id)
    auth.login_as("resident")
    assert client.get(f"/issues/{issue.id}/files").status_code == 403
    response = upload(client, issue.id, (jpeg(), "a.jpg", "Foto"))
    assert response.status_code == 403 and "schrijver" in response.get_data(as_text=True)
    assert count(app) == 0 and stored(app) == []
    assert "/files" not in client.get(f"/issues/{issue.id}").get_data(as_text=True)


def test_a_visitor_is_sent_to_log_in(app):
    process = make_process(app)
    issue = make_issue(app, process.id, make_user(app).id)
    visitor = app.test_client()
    assert "/login" in visitor.get(f"/issues/{issue.id}/files").headers["Location"]
    response = upload(visitor, issue.id, (jpeg(), "a.jpg", "Foto"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count(app) == 0


def test_the_author_may_not_add_photos_after_the_edit_window(app, client, auth):
    _process, _author, issue = setup_issue(app, auth, created_at=utcnow() - timedelta(hours=3))
    response = upload(client, issue.id, (jpeg(), "a.jpg", "Foto"))
    assert response.status_code == 403 and "60 minuten na het publiceren" in response.get_data(as_text=True)
    assert count(app) == 0


def test_the_author_may_not_add_photos_to_a_closed_issue(app, client, auth):
    _process, _author, issue = setup_issue(app, auth, status="declined")
    assert upload(client, issue.id, (jpeg(), "a.jpg", "Foto")).status_code == 403


def test_a_moderator_may_add_photos_to_any_issue_at_any_time(app):
    process = make_process(app)
    issue = make_issue(app, process.id, make_user(app).id, created_at=utcnow() - timedelta(days=40))
    moderator = signed_in(app, make_user(app, role="wijkregisseur"))
    assert upload(moderator, issue.id, (jpeg(), "a.jpg", "Foto van de wijkregisseur")).status_code == 302
    (row,) = attachment_rows(app)
    assert row.alt_text == "Foto van de wijkregisseur"


def test_the_author_adds_photos_to_an_issue_that_waits_for_a_check(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    with app.app_context():
        db.session.get(Issue, issue.id).visibility = "pending"
        db.session.commit()
    assert upload(client, issue.id, (jpeg(), "a.jpg", "Foto")).status_code == 302
    assert count(app) == 1


def test_with_premoderation_the_author_cannot_add_photos_to_a_checked_issue(app):
    """A photo cannot wait for a check as a changed text does: only a moderator adds it then."""
    process = make_process(app)
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = 1
        db.session.commit()
    author = make_user(app)
    writer = signed_in(app, author)
    moderator = signed_in(app, make_user(app, role="wijkregisseur"))
    form = {"title": "Bankjes in het park", "description": "Er zijn te weinig bankjes in het park bij de vijver."}
    form.update(domains=["social"], breadth="single", scale="small", term="short", step="publish")
    assert writer.post(f"/processes/{process.slug}/issues/new", data=form).status_code == 302
    with app.app_context():
        issue_id = db.session.scalar(sa.select(Issue.id))
    # while it waits, the author may add photos: the moderator sees them before anyone else does
    assert upload(writer, issue_id, (jpeg(), "a.jpg", "Een bankje")).status_code == 302
    approve = {"group": "visibility", "visibility-action": "approve", "visibility-reason": "Gecontroleerd."}
    assert moderator.post(f"/moderation/issue/{issue_id}", data=approve).status_code == 302
    response = upload(writer, issue_id, (jpeg(color=(0, 0, 0)), "b.jpg", "Nog een bankje"))
    assert response.status_code == 403 and "gecontroleerd" in response.get_data(as_text=True)
    assert upload(moderator, issue_id, (jpeg(color=(0, 0, 0)), "b.jpg", "Nog een bankje")).status_code == 302
    assert count(app) == 2


def test_a_form_sent_twice_adds_the_files_once(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    form = {"submission_id": "dubbel-verstuurd-formulier-1234"}
    first = upload(client, issue.id, (jpeg(), "a.jpg", "Foto"), data=form)
    again = upload(client, issue.id, (jpeg(), "a.jpg", "Foto"), data=form)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"].endswith(f"/issues/{issue.id}#attachments")
    assert count(app) == 1 and len(stored(app)) == 2


def test_adding_and_removing_need_the_csrf_token(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    assert upload(client, issue.id, (jpeg(), "a.jpg", "Foto")).status_code == 302
    (row,) = attachment_rows(app)
    app.config["WTF_CSRF_ENABLED"] = True
    assert upload(client, issue.id, (pdf(), "a.pdf", "Plan")).status_code == 400
    assert client.post(f"/issues/{issue.id}/files/{row.token}/remove").status_code == 400
    assert count(app) == 1 and len(stored(app)) == 2


# --- removing -----------------------------------------------------------------------------------------


def test_the_author_removes_a_photo_and_its_files_go(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(), "a.jpg", "Foto"), (pdf(), "b.pdf", "Plan"))
    photo, document = attachment_rows(app)
    # long after the edit window the author can still take a photo away
    with app.app_context():
        db.session.get(Issue, issue.id).created_at = utcnow() - timedelta(days=10)
        db.session.commit()
    page = client.get(f"/issues/{issue.id}/files/{photo.token}/remove").get_data(as_text=True)
    assert "Deze foto verwijderen?" in page and 'method="post"' in page
    response = client.post(f"/issues/{issue.id}/files/{photo.token}/remove")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/issues/{issue.id}#attachments")
    assert "De foto is verwijderd." in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert [row.token for row in attachment_rows(app)] == [document.token]
    assert [p.name for p in stored(app)] == [f"{document.token}.pdf"]
    assert client.get(f"/issues/{issue.id}/files/{photo.token}").status_code == 404


def test_another_resident_may_not_remove_a_photo(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(), "a.jpg", "Foto"))
    (photo,) = attachment_rows(app)
    neighbour = signed_in(app, make_user(app))
    for method in ("get", "post"):
        response = getattr(neighbour, method)(f"/issues/{issue.id}/files/{photo.token}/remove")
        assert response.status_code == 403 and "schrijver" in response.get_data(as_text=True)
    assert count(app) == 1 and len(stored(app)) == 2
    assert "/remove" not in neighbour.get(f"/issues/{issue.id}").get_data(as_text=True)
    visitor = app.test_client().post(f"/issues/{issue.id}/files/{photo.token}/remove")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert count(app) == 1


@pytest.mark.parametrize("role", ["wijkregisseur", "admin"])
def test_a_moderator_removes_a_single_photo(app, client, auth, role):
    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(), "a.jpg", "Foto"), (jpeg(color=(9, 9, 9)), "b.jpg", "Andere foto"))
    first, second = attachment_rows(app)
    moderator = signed_in(app, make_user(app, role=role))
    assert moderator.post(f"/issues/{issue.id}/files/{first.token}/remove").status_code == 302
    assert [row.token for row in attachment_rows(app)] == [second.token]


def test_removing_twice_lands_calmly_on_the_issue(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(), "a.jpg", "Foto"))
    (photo,) = attachment_rows(app)
    form = {"submission_id": "verwijder-twee-keer-123456"}
    url = f"/issues/{issue.id}/files/{photo.token}/remove"
    assert client.post(url, data=form).status_code == 302
    again = client.post(url, data=form)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/issues/{issue.id}#attachments")
    assert count(app) == 0
