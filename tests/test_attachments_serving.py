"""Serving photos and PDFs: safe headers, only to whoever may see the issue, odd addresses 404, the gallery."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.issues.attachment_models import IssueAttachment
from app.issues.models import Issue
from app.processes.models import Process
from tests.attachment_helpers import jpeg, pdf, setup_issue, upload
from tests.conftest import PASSWORD, make_issue, make_process, make_user

ROOT = Path(__file__).resolve().parent.parent


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def with_files(app, client, auth):
    """An issue of a signed-in resident with a photo and a PDF; returns (issue, photo, pdf, author)."""
    _process, author, issue = setup_issue(app, auth)
    response = upload(
        client, issue.id, (jpeg(), "IMG_1.jpg", "Kapotte schommel"), (pdf(), "x.pdf", "Tekening speeltuin – café")
    )
    assert response.status_code == 302
    with app.app_context():
        photo, document = db.session.scalars(sa.select(IssueAttachment).order_by(IssueAttachment.id)).all()
        return issue, photo, document, author


def urls(issue_id, photo, document):
    return [
        f"/issues/{issue_id}/files/{photo.token}",
        f"/issues/{issue_id}/files/{photo.token}/thumbnail",
        f"/issues/{issue_id}/files/{document.token}",
    ]


def set_visibility(app, issue_id, visibility):
    with app.app_context():
        db.session.get(Issue, issue_id).visibility = visibility
        db.session.commit()


# --- headers ----------------------------------------------------------------------------------------


def test_a_photo_is_served_inline_with_safe_headers(app, client, auth):
    issue, photo, _document, _author = with_files(app, client, auth)
    for url in urls(issue.id, photo, _document)[:2]:
        response = app.test_client().get(url)  # a visitor: the issue is public
        assert response.status_code == 200
        headers = response.headers
        assert headers["Content-Type"] == "image/jpeg"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert headers["Content-Disposition"].startswith("inline; filename=")
        assert headers["Content-Disposition"].endswith('.jpg"') or headers["Content-Disposition"].endswith(".jpg")
        assert "IMG_1" not in headers["Content-Disposition"]  # never the name the person's phone gave it
        assert headers["Cache-Control"] == "public, max-age=300"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_a_pdf_is_a_download_with_a_safe_ascii_name(app, client, auth):
    issue, _photo, document, _author = with_files(app, client, auth)
    response = app.test_client().get(f"/issues/{issue.id}/files/{document.token}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=Tekening-speeltuin-cafe.pdf"
    assert response.headers["Content-Disposition"].isascii()
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_asked_again_is_answered_not_modified(app, client, auth):
    issue, photo, _document, _author = with_files(app, client, auth)
    visitor = app.test_client()
    first = visitor.get(f"/issues/{issue.id}/files/{photo.token}")
    again = visitor.get(f"/issues/{issue.id}/files/{photo.token}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# --- only for whoever may see the issue ---------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["hidden", "auto_hidden", "pending"])
def test_the_files_of_a_hidden_issue_are_404_for_everyone_but_its_author_and_the_moderators(
    app, client, auth, visibility
):
    issue, photo, document, _author = with_files(app, client, auth)
    set_visibility(app, issue.id, visibility)
    visitor = app.test_client()
    neighbour = signed_in(app, make_user(app))
    moderator = signed_in(app, make_user(app, role="wijkregisseur"))
    for url in urls(issue.id, photo, document):
        assert visitor.get(url).status_code == 404, url
        assert neighbour.get(url).status_code == 404, url
        own = client.get(url)
        assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
        assert moderator.get(url).status_code == 200
    page = visitor.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert photo.token not in page and "Kapotte schommel" not in page


def test_the_files_of_an_issue_in_an_unpublished_process_are_404(app, client, auth):
    issue, photo, document, _author = with_files(app, client, auth)
    with app.app_context():
        db.session.get(Process, db.session.get(Issue, issue.id).process_id).published_at = None
        db.session.commit()
    for url in urls(issue.id, photo, document):
        assert app.test_client().get(url).status_code == 404


# --- odd addresses -------------------------------------------------------------------------------------


def test_odd_tokens_and_other_issues_files_are_404_never_500(app, client, auth):
    issue, photo, document, author = with_files(app, client, auth)
    process_id = make_process(app).id
    other = make_issue(app, process_id, author.id, title="Een ander onderwerp")
    moderator = signed_in(app, make_user(app, role="wijkregisseur"))
    bad = [
        f"/issues/{other.id}/files/{photo.token}",  # a real token, under another issue
        f"/issues/{issue.id}/files/{document.token}/thumbnail",  # a PDF has no thumbnail
        f"/issues/{issue.id}/files/{'A' * 32}",  # well-formed, unknown
        f"/issues/{issue.id}/files/x",
        f"/issues/{issue.id}/files/{photo.token}x",
        f"/issues/{issue.id}/files/{'ä' * 32}",
        f"/issues/{issue.id}/files/..%2F..%2Fsecret_key",
        f"/issues/{issue.id}/files/{photo.token[:31]}%00",
        f"/issues/999999/files/{photo.token}",
        f"/issues/{issue.id}/files/{'9' * 5000}/thumbnail",
    ]
    for url in bad:
        for who in (app.test_client(), client, moderator):
            assert who.get(url).status_code in (400, 404), url
    for url in (f"/issues/{other.id}/files/{photo.token}/remove", f"/issues/{issue.id}/files/x/remove"):
        assert moderator.get(url).status_code == 404
        assert moderator.post(url).status_code == 404


def test_a_file_missing_from_the_store_is_404(app, client, auth):
    issue, photo, _document, _author = with_files(app, client, auth)
    for path in (Path(app.instance_path) / "uploads").rglob(f"{photo.token}.*"):
        path.unlink()
    assert app.test_client().get(f"/issues/{issue.id}/files/{photo.token}").status_code == 404


# --- the gallery, on a phone and without JavaScript ----------------------------------------------------


def test_the_issue_page_shows_thumbnails_linking_to_the_large_photo_with_the_text_alternative(app, client, auth):
    issue, photo, document, _author = with_files(app, client, auth)
    page = app.test_client().get(f"/issues/{issue.id}").get_data(as_text=True)
    gallery = page[page.index('id="attachments"') :]
    gallery = gallery[: gallery.index("</section>")]
    assert f'<a href="/issues/{issue.id}/files/{photo.token}" class="photo-gallery__link">' in gallery
    assert f'src="/issues/{issue.id}/files/{photo.token}/thumbnail" alt="Kapotte schommel"' in gallery
    assert 'width="400" height="200"' in gallery  # its place is kept before it loads
    assert "<figcaption" in gallery and "Kapotte schommel</figcaption>" in gallery
    assert f'href="/issues/{issue.id}/files/{document.token}">Tekening speeltuin – café</a>' in gallery
    assert "(PDF, 161 bytes)" in gallery
    assert "<script" not in gallery and "Verwijder" not in gallery  # a visitor gets no remove links
    css = (ROOT / "app/static/css/site.css").read_text()
    rule = css[css.index(".photo-gallery__image {") :]
    assert "max-width: 100%" in rule[: rule.index("}")] and "height: auto" in rule[: rule.index("}")]
    grid = css[css.index(".photo-gallery {") :]
    assert "minmax(min(100%, " in grid[: grid.index("}")]  # one column on a 360 px phone, never wider


def test_the_add_form_works_without_javascript(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    page = client.get(f"/issues/{issue.id}/files").get_data(as_text=True)
    start = page.index('<form method="post" enctype="multipart/form-data"')
    form = page[start : page.index("</form>", start)]
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form
    assert 'name="submission_id"' in form  # sent twice, it makes one set (CSRF: test_attachments_policy.py)
    for n in range(1, 6):
        assert f'<label class="utrecht-form-label" for="file_{n}">Bestand {n}</label>' in form
        assert f'name="file_{n}" type="file"' in form
        assert f'for="text_{n}">Beschrijving bij bestand {n}</label>' in form
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf' in form
    assert 'type="submit"' in form and "<script" not in page[page.index("<main") :]


def test_the_author_finds_the_way_to_add_photos(app, client, auth):
    process = make_process(app)
    author = auth.login_as("resident")
    issue = make_issue(app, process.id, author.id)
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert f"""href="/issues/{issue.id}/files">Foto's of een PDF toevoegen</a>""" in page
    assert f"/issues/{issue.id}/files" in client.get(f"/issues/{issue.id}/edit").get_data(as_text=True)
    assert "foto's en een PDF" in client.get(f"/processes/{process.slug}/issues/new").get_data(as_text=True)


def test_the_moderator_sees_the_photos_of_an_issue_that_waits_for_a_check(app, client, auth):
    issue, photo, _document, _author = with_files(app, client, auth)
    set_visibility(app, issue.id, "pending")
    moderator = signed_in(app, make_user(app, role="wijkregisseur"))
    page = moderator.get(f"/moderation/issue/{issue.id}").get_data(as_text=True)
    assert f"/issues/{issue.id}/files/{photo.token}/thumbnail" in page and "Kapotte schommel" in page
