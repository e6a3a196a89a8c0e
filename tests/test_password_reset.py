"""Password reset: a signed, expiring, single-use link by e-mail; the same answer for unknown addresses."""

import re

from itsdangerous import URLSafeTimedSerializer

from app.accounts.services import RESET_SALT
from app.extensions import db
from tests.conftest import PASSWORD, make_user, page_text

NEW = "zeilboot-paraplu-mei-31"


def link_from(mail) -> str:
    match = re.search(r"http://localhost(/password/reset/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_reset_link_is_mailed_and_works_once(app, client, outbox):
    user = make_user(app)
    page = client.post("/password/forgot", data={"email": user.email})
    assert page.status_code == 200
    assert len(outbox) == 1 and outbox[0].to == user.email
    path = link_from(outbox[0])

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login", data={"email": user.email, "password": NEW}).status_code == 302

    client.post("/logout")
    again = client.post(
        path, data={"password": "nog-een-ander-wachtwoord-9", "password_confirm": "nog-een-ander-wachtwoord-9"}
    )
    assert again.status_code == 400  # used: the link no longer works
    assert app.test_client().post("/login", data={"email": user.email, "password": NEW}).status_code == 302


def test_unknown_address_gets_the_same_page_and_no_mail(app, client, outbox):
    user = make_user(app)
    known = page_text(client.post("/password/forgot", data={"email": user.email}))
    unknown = page_text(client.post("/password/forgot", data={"email": "niemand@example.org"}))
    assert known == unknown
    assert len(outbox) == 1


def test_expired_link_is_refused(app, client, outbox, monkeypatch):
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email})
    path = link_from(outbox[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(path)
    assert response.status_code == 400
    assert client.post(path, data={"password": NEW, "password_confirm": NEW}).status_code == 400
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_tampered_or_foreign_token_is_refused(app, client):
    user = make_user(app)
    forged = URLSafeTimedSerializer("some-other-key", salt=RESET_SALT).dumps({"u": user.id, "p": "x"})
    assert client.get(f"/password/reset/{forged}").status_code == 400
    assert client.get("/password/reset/not-a-token").status_code == 400


def test_link_dies_when_the_password_changes_otherwise(app, client, outbox, auth):
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email})
    path = link_from(outbox[0])
    auth.login(user.email)
    client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW, "new_password_confirm": NEW}
    )
    assert app.test_client().get(path).status_code == 400


def test_reset_ends_all_sessions(app, client, outbox):
    user = make_user(app)
    logged_in = app.test_client()
    logged_in.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/password/forgot", data={"email": user.email})
    client.post(link_from(outbox[0]), data={"password": NEW, "password_confirm": NEW})
    assert logged_in.get("/account").status_code == 302


def test_weak_new_password_is_refused_and_link_still_works(app, client, outbox):
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email})
    path = link_from(outbox[0])
    response = client.post(path, data={"password": "password1234", "password_confirm": "password1234"})
    assert b'id="password-error"' in response.data
    assert client.post(path, data={"password": NEW, "password_confirm": NEW}).status_code == 302


def test_mail_goes_to_the_log_without_mail_server(app, caplog):
    from app.mail import send_mail

    app.config["MAIL_BACKEND"] = ""
    app.config["MAIL_SERVER"] = ""
    with app.app_context(), caplog.at_level("WARNING"):
        send_mail("a@example.org", "Onderwerp", "Tekst met link")
        db.session.commit()  # the outbox: sent once the transaction that made it commits
    assert "Tekst met link" in caplog.text


def test_smtp_is_used_when_mail_server_is_set(app, monkeypatch):
    import smtplib

    from app.mail import send_mail

    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_BACKEND="", MAIL_SERVER="smtp.example.org", MAIL_PORT=587, MAIL_USERNAME="u")
    with app.app_context():
        send_mail("a@example.org", "Onderwerp", "Tekst")
        db.session.commit()
    assert sent == [
        ("connect", "smtp.example.org", 587),
        ("starttls",),
        ("login", "u"),
        ("send", "a@example.org", "Onderwerp"),
    ]


def test_reset_link_ignores_a_forged_host_header(app, client, outbox):
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    assert "evil.example" not in outbox[0].body
    assert "http://localhost/password/reset/" in outbox[0].body


def test_production_needs_base_url(monkeypatch):
    import pytest

    from app import create_app
    from config import ProductionConfig

    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app(ProductionConfig, {"SECRET_KEY": "k" * 40, "BASE_URL": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_failing_mail_server_gives_the_same_answer(app, client, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    app.config.update(MAIL_BACKEND="", MAIL_SERVER="smtp.invalid")
    user = make_user(app)
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.post("/password/forgot", data={"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert page_text(known) == page_text(unknown)


def test_production_log_backend_does_not_write_the_link(app, caplog):
    from app.mail import send_mail

    app.config.update(MAIL_BACKEND="", MAIL_SERVER="", NAME="production")
    with app.app_context(), caplog.at_level("WARNING"):
        send_mail("a@example.org", "Nieuw wachtwoord", "geheime-link")
        db.session.commit()
    assert "geheime-link" not in caplog.text and "not sent" in caplog.text
