"""An account mail (a link to choose a password or to log in) that fails keeps no link in the database, and
the administrator's "send again" never sends such a mail with a dead or empty link: it is taken off the
list with a note saying why; other mails go again as before."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail import queue_mail
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import make_user


def rows(app) -> dict[str, OutboxMail]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxMail)).all()
        db.session.expunge_all()
        return {row.to_address: row for row in found}


def admin_client(app, auth):
    admin = make_user(app, role="admin")
    auth.login(admin.email)


def test_a_reset_mail_that_fails_loses_its_link(app, client, outbox):
    app.config.update(MAIL_BACKEND="", MAIL_SERVER="", NAME="production")  # refused at once, for good
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email})
    row = rows(app)[user.email]
    assert row.status == "failed" and row.kind == "system"
    assert row.body == "" and "/password/reset/" not in row.body
    assert row.subject  # the administrator still sees what it was


def test_a_failed_moderation_mail_keeps_its_text(app, outbox):
    app.config.update(MAIL_BACKEND="", MAIL_SERVER="", NAME="production")
    with app.app_context():
        queue_mail(kind="moderation", to="a@example.org", subject="Uw reactie is verborgen", body="De reden: ...")
        db.session.commit()
    row = rows(app)["a@example.org"]
    assert row.status == "failed" and row.body == "De reden: ..."


def failed(app, to: str, kind: str, body: str, age: timedelta) -> None:
    with app.app_context():
        row = queue_mail(kind=kind, to=to, subject="Kies een nieuw wachtwoord", body=body)
        row.next_attempt_at = utcnow() + timedelta(hours=1)
        db.session.flush()
        row.status, row.attempts, row.last_error = "failed", 6, "SMTPDataError: 451 Probeer het later"
        row.created_at = utcnow() - age
        db.session.commit()


def test_send_all_again_leaves_out_account_mails_whose_link_is_dead(app, client, auth, outbox):
    failed(app, "oud@example.org", "system", "", timedelta(hours=15))  # failed after a day of tries
    failed(app, "vroeger@example.org", "system", "https://…/password/reset/abc", timedelta(hours=3))  # kept, old
    failed(app, "zojuist@example.org", "system", "https://…/password/reset/def", timedelta(minutes=10))
    failed(app, "melding@example.org", "moderation", "Uw reactie is verborgen.", timedelta(hours=15))
    admin_client(app, auth)

    page = client.post("/admin/mail/send-again", follow_redirects=True).get_data(as_text=True)
    assert "2 e-mails worden opnieuw verstuurd" in page
    assert "2 e-mails over een account worden niet opnieuw verstuurd: de links erin werken niet meer" in page
    assert sorted(m.to for m in outbox) == ["melding@example.org", "zojuist@example.org"]
    found = rows(app)
    for address in ("oud@example.org", "vroeger@example.org"):
        assert found[address].status == "cancelled" and found[address].body == ""
        assert "not sent again" in found[address].last_error
    assert found["zojuist@example.org"].status == "sent" and found["melding@example.org"].status == "sent"
    assert "oud@example.org" not in client.get("/admin/mail").get_data(as_text=True)  # off the failed list


def test_send_again_for_one_dead_account_mail_says_why_and_takes_it_off(app, client, auth, outbox):
    failed(app, "oud@example.org", "system", "", timedelta(hours=15))
    admin_client(app, auth)
    with app.app_context():
        mail_id = db.session.scalar(sa.select(OutboxMail.id))
    page = client.post(f"/admin/mail/{mail_id}/send-again", follow_redirects=True).get_data(as_text=True)
    assert "De e-mail aan oud@example.org wordt niet opnieuw verstuurd: de link erin werkt niet meer" in page
    assert outbox == []
    assert rows(app)["oud@example.org"].status == "cancelled"


def test_a_resident_cannot_send_account_mails_again(app, client, auth, outbox):
    failed(app, "oud@example.org", "system", "", timedelta(hours=15))
    auth.login_as("resident")
    assert client.post("/admin/mail/send-again").status_code == 403
    assert rows(app)["oud@example.org"].status == "failed"
