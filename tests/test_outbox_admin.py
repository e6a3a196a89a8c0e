"""/admin/mail: the administrator sees how many mails wait, went out and failed, the failed ones with their
error, and sends them again (POST, CSRF, administrators only)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail import queue_mail
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import PASSWORD, make_app, make_user
from tests.smtp_server import mail_settings, smtp  # noqa: F401 (a fixture)


@pytest.fixture
def site(database_url, smtp, tmp_path, monkeypatch):  # noqa: F811
    """Sending through a real SMTP server, with CSRF checked as in production."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, WTF_CSRF_ENABLED=True, **mail_settings(smtp))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def signed_in(app, role: str):
    client = app.test_client()
    user = make_user(app, role=role)
    token = token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def failed_mail(app, to="weg@example.org", subject="Uw reactie is verborgen") -> int:
    with app.app_context():
        row = queue_mail(kind="moderation", to=to, subject=subject, body="Tekst")
        db.session.flush()
        row.status, row.attempts, row.last_error = "failed", 6, "SMTPDataError: 451 4.3.0 Probeer het later"
        row.next_attempt_at = utcnow()
        db.session.commit()
        return row.id


def status_of(app, mail_id: int) -> str:
    with app.app_context():
        return db.session.get(OutboxMail, mail_id).status


def test_the_administrator_sees_counts_and_failed_mails(site, smtp):  # noqa: F811
    mail_id = failed_mail(site)
    with site.app_context():
        queue_mail(kind="moderation", to="gelukt@example.org", subject="Verstuurd", body="Tekst")
        db.session.commit()
    admin = signed_in(site, "admin")
    page = admin.get("/admin/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "weg@example.org" in html and "Uw reactie is verborgen" in html and "451 4.3.0" in html
    assert f"/admin/mail/{mail_id}/send-again" in html
    assert "gelukt@example.org" not in html  # sent: counted, not listed
    assert 'href="/admin/mail"' in html  # in the menu


def test_only_administrators_see_the_mails(site, smtp):  # noqa: F811
    failed_mail(site)
    assert site.test_client().get("/admin/mail").status_code == 302  # to the login page
    for role in ("resident", "partner", "wijkregisseur", "facilitator"):
        client = signed_in(site, role)
        response = client.get("/admin/mail")
        assert response.status_code == 403, role
        assert "weg@example.org" not in response.get_data(as_text=True)
        assert 'href="/admin/mail"' not in client.get("/").get_data(as_text=True)


def test_send_again_delivers_a_failed_mail(site, smtp):  # noqa: F811
    mail_id = failed_mail(site)
    admin = signed_in(site, "admin")
    token = token_from(admin.get("/admin/mail").get_data(as_text=True))
    response = admin.post(f"/admin/mail/{mail_id}/send-again", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "opnieuw verstuurd" in response.get_data(as_text=True)
    [message] = smtp.received
    assert message["To"] == "weg@example.org"
    assert status_of(site, mail_id) == "sent"


def test_send_again_is_refused_without_csrf_or_for_others(site, smtp):  # noqa: F811
    mail_id = failed_mail(site)
    admin = signed_in(site, "admin")
    assert admin.post(f"/admin/mail/{mail_id}/send-again", data={}).status_code == 400
    assert admin.post(f"/admin/mail/{mail_id}/send-again", data={"csrf_token": "vervalst"}).status_code == 400
    for role in ("resident", "wijkregisseur"):
        client = signed_in(site, role)
        token = token_from(client.get("/").get_data(as_text=True))
        assert client.post(f"/admin/mail/{mail_id}/send-again", data={"csrf_token": token}).status_code == 403
        assert client.post("/admin/mail/send-again", data={"csrf_token": token}).status_code == 403
    anonymous = site.test_client()
    token = token_from(anonymous.get("/login").get_data(as_text=True))
    assert anonymous.post(f"/admin/mail/{mail_id}/send-again", data={"csrf_token": token}).status_code == 302
    assert status_of(site, mail_id) == "failed" and smtp.received == []


def test_only_a_failed_mail_can_be_sent_again(site, smtp):  # noqa: F811
    with site.app_context():
        queue_mail(kind="moderation", to="gelukt@example.org", subject="Verstuurd", body="Tekst")
        db.session.commit()
        sent_id = db.session.scalar(sa.select(OutboxMail.id))
    admin = signed_in(site, "admin")
    token = token_from(admin.get("/admin/mail").get_data(as_text=True))
    response = admin.post(f"/admin/mail/{sent_id}/send-again", data={"csrf_token": token}, follow_redirects=True)
    assert "Alleen een e-mail die niet verstuurd kon worden" in response.get_data(as_text=True)
    assert len(smtp.received) == 1  # not sent a second time
    assert admin.post("/admin/mail/999999/send-again", data={"csrf_token": token}).status_code == 404


def test_send_all_failed_again(site, smtp):  # noqa: F811
    ids = [failed_mail(site, to=f"persoon{n}@example.org") for n in range(3)]
    smtp.refuse_with("451 4.3.0 Nog steeds niet")
    admin = signed_in(site, "admin")
    token = token_from(admin.get("/admin/mail").get_data(as_text=True))
    assert admin.post("/admin/mail/send-again", data={"csrf_token": token}).status_code == 302
    assert [status_of(site, i) for i in ids] == ["pending"] * 3  # tried once more, and waiting for the next try
    smtp.refuse_with(None)
    with site.app_context():
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow()))
        db.session.commit()
        from app.mail import deliver_due

        assert deliver_due() == 3
    assert sorted(m["To"] for m in smtp.received) == [f"persoon{n}@example.org" for n in range(3)]
