"""The photo form may take tens of megabytes, but only from someone signed in: a stranger's large POST to it is
refused (413) before it is read, like any other large request to the site."""

from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from tests.conftest import make_app, make_issue, make_process, make_user

THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def site(database_url, tmp_path, monkeypatch):
    """With CSRF checked as in production: the check reads the form before any view runs."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def post_large(client, issue_id: int):
    data = {"file_1": (io.BytesIO(b"\xff\xd8\xff" + b"0" * THREE_MB), "foto.jpg"), "text_1": "Foto"}
    return client.post(f"/issues/{issue_id}/files", data=data, content_type="multipart/form-data")


def test_a_large_upload_signed_out_is_refused_before_it_is_read(site):
    process = make_process(site)
    author = make_user(site)
    issue = make_issue(site, process.id, author.id)
    assert site.config["MAX_CONTENT_LENGTH"] < THREE_MB
    assert post_large(site.test_client(), issue.id).status_code == 413


def test_signed_in_the_same_upload_is_read(site):
    process = make_process(site)
    author = make_user(site)
    issue = make_issue(site, process.id, author.id)
    client = site.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    signed_in = client.post("/login", data={"email": author.email, "password": author.password, "csrf_token": token})
    assert signed_in.status_code == 302
    # read in full, then refused for its missing CSRF token (400), not for its size
    assert post_large(client, issue.id).status_code == 400
