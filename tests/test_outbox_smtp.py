"""The outbox against a real SMTP server (aiosmtpd): each mail once, two workers never send one row both,
and a server that refuses gets the mail again later (1, 5, 30 minutes, 2 and 12 hours), then the
administrator sees it failed. A permanent refusal (no such address) is not retried."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail import deliver_due, queue_mail
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import make_app, make_user
from tests.smtp_server import mail_settings, smtp  # noqa: F401 (a fixture)


@pytest.fixture
def site(database_url, smtp, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, **mail_settings(smtp))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def the_row(app) -> OutboxMail:
    with app.app_context():
        row = db.session.scalars(sa.select(OutboxMail)).one()
        db.session.expunge(row)
        return row


def test_a_mail_reaches_the_server_once(site, smtp):  # noqa: F811
    user = make_user(site)
    site.test_client().post("/password/forgot", data={"email": user.email})
    row = the_row(site)
    [message] = smtp.received
    assert message["Message-ID"] == row.message_id and message["To"] == user.email
    assert message["Subject"] == "Kies een nieuw wachtwoord"
    assert message["Auto-Submitted"] == "auto-generated" and message["Date"]
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert "/password/reset/" in message.get_content()
    with site.app_context():
        assert deliver_due() == 0  # a second run finds nothing to do
    assert len(smtp.received) == 1
    assert row.status == "sent" and row.attempts == 1


def test_two_workers_at_once_send_each_mail_once(site, smtp):  # noqa: F811
    with site.app_context():
        for n in range(30):
            row = queue_mail(kind="moderation", to=f"bewoner{n}@example.org", subject=f"Bericht {n}", body="Tekst")
            row.next_attempt_at = utcnow() + timedelta(days=1)  # not yet: the workers below send them
        db.session.commit()
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    start = threading.Barrier(2)
    counts = []

    def worker():
        with site.app_context():
            start.wait()
            counts.append(deliver_due(limit=20))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with site.app_context():
        counts.append(deliver_due())  # whatever the limit left over

    ids = [message["Message-ID"] for message in smtp.received]
    assert len(ids) == 30 and len(set(ids)) == 30 and sum(counts) == 30
    with site.app_context():
        assert set(db.session.scalars(sa.select(OutboxMail.status))) == {"sent"}


def test_a_refusing_server_gets_the_mail_again_with_back_off_then_it_failed(site, smtp):  # noqa: F811
    smtp.refuse_with("451 4.3.0 Probeer het later opnieuw")
    user = make_user(site)
    site.test_client().post("/password/forgot", data={"email": user.email})

    waits = []
    for attempt in range(1, 7):
        row = the_row(site)
        assert row.attempts == attempt and "451" in row.last_error
        if attempt == 6:
            break
        assert row.status == "pending"
        waits.append(round((row.next_attempt_at - utcnow()).total_seconds() / 60))
        with site.app_context():
            assert deliver_due() == 0  # not yet
            db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            deliver_due()
    assert waits == [1, 5, 30, 120, 720]
    assert row.status == "failed" and smtp.refusals == 6 and smtp.received == []
    assert "Probeer het later opnieuw" in row.last_error and len(row.last_error) <= 500
    with site.app_context():
        db.session.execute(sa.update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(days=1)))
        db.session.commit()
        assert deliver_due() == 0  # given up: no more tries
    assert smtp.refusals == 6

    admin = make_user(site, role="admin")  # ... and the administrator sees it, with the server's answer
    client = site.test_client()
    client.post("/login", data={"email": admin.email, "password": admin.password})
    html = client.get("/admin/mail").get_data(as_text=True)
    assert user.email in html and "Kies een nieuw wachtwoord" in html and "Probeer het later opnieuw" in html


def test_no_such_address_is_not_tried_again(site, smtp):  # noqa: F811
    smtp.refuse_with("550 5.1.1 Onbekende ontvanger")
    with site.app_context():
        queue_mail(kind="moderation", to="weg@example.org", subject="Onderwerp", body="Tekst")
        db.session.commit()
    row = the_row(site)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error


def test_an_unreachable_server_is_tried_again_later(site, smtp):  # noqa: F811
    smtp.stop()
    with site.app_context():
        for n in range(3):
            queue_mail(kind="moderation", to=f"a{n}@example.org", subject="Onderwerp", body="Tekst")
        db.session.commit()
    with site.app_context():
        found = db.session.scalars(sa.select(OutboxMail)).all()
        assert {(r.status, r.attempts) for r in found} == {("pending", 1)}
        assert all("Connection" in r.last_error or "refused" in r.last_error for r in found)
