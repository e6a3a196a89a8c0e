"""One-click unsubscribe (RFC 8058): every mail about a topic carries List-Unsubscribe and -Post headers and a
footer; the signed link works signed out, cannot be guessed or changed, and switches that topic's mail off
(idempotent), cancelling what waits in the outbox. Account mails (a password reset) carry none of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from itsdangerous import URLSafeSerializer

from app.accounts.models import User
from app.extensions import db
from app.mail import queue_mail
from app.mail.models import OutboxMail
from app.models_common import utcnow
from app.notifications.kinds import TOPICS
from app.notifications.models import NotificationPreference
from app.notifications.unsubscribe import make_token, subscription_for
from app.policy import can
from tests.conftest import make_app, make_user

LINK = re.compile(r"http://localhost(/unsubscribe/[A-Za-z0-9_.-]+)")


def topic_mail(app, user, topic="issue_status", language="nl", **row) -> str:
    """Queue and send a mail about `topic` to `user`; returns the path of its unsubscribe link."""
    with app.app_context():
        db.session.get(User, user.id).language = language
        queue_mail(
            kind="summary", to=user.email, user=user.id, subject="Nieuws", body="Er is iets gebeurd.", topic=topic
        )
        db.session.commit()
    mail = app.extensions["mail_outbox"][-1]
    return LINK.search(mail.list_unsubscribe).group(1)


def delivery(app, user, topic="issue_status") -> str | None:
    with app.app_context():
        return db.session.scalar(
            sa.select(NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id, NotificationPreference.topic == topic
            )
        )


def test_a_topic_mail_carries_the_one_click_headers_and_a_footer(app, outbox):
    user = make_user(app)
    path = topic_mail(app, user)
    [mail] = outbox
    assert mail.list_unsubscribe == f"<http://localhost{path}>"
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.headers["Auto-Submitted"] == "auto-generated"
    assert f"Geen e-mails meer hierover: http://localhost{path}" in mail.body
    assert "Kies welke e-mails u krijgt: http://localhost/notifications/preferences" in mail.body
    with app.test_request_context():  # Dutch, the person's language
        # "because you chose it" would be untrue for a default: it names the topic only
        assert f"U krijgt deze e-mail bij: {TOPICS['issue_status'].label}.\n" in mail.body


def test_the_footer_speaks_the_persons_language(app, outbox):
    user = make_user(app)
    topic_mail(app, user, language="en")
    assert "Stop these e-mails: http://localhost/unsubscribe/" in outbox[-1].body


def test_a_password_reset_has_no_unsubscribe(app, client, outbox):
    user = make_user(app)
    client.post("/password/forgot", data={"email": user.email})
    [mail] = outbox
    assert mail.list_unsubscribe == ""
    assert "List-Unsubscribe" not in mail.headers and "List-Unsubscribe-Post" not in mail.headers
    assert "/unsubscribe/" not in mail.body and "/notifications/preferences" not in mail.body
    assert mail.headers["Auto-Submitted"] == "auto-generated" and mail.headers["Message-ID"]


def test_the_page_works_signed_out_and_changes_nothing(app, client, outbox):
    user = make_user(app)
    path = topic_mail(app, user)
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "E-mails stoppen" in html and "Stop deze e-mails" in html
    assert 'href="/notifications/preferences"' in html
    assert delivery(app, user) is None  # a mail scanner that opens the link stops nothing


def test_one_click_post_switches_the_topic_off_signed_out_and_twice(database_url, outbox):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)  # the RFC's POST carries no CSRF token
    user = make_user(app)
    path = topic_mail(app, user)
    client = app.test_client()
    for _ in range(2):  # a mail client and then its person: both fine
        response = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "U krijgt deze e-mails niet meer" in response.get_data(as_text=True)
    assert delivery(app, user) == "none"
    assert delivery(app, user, "reactions") is None  # only this topic
    assert client.get(path).status_code == 200
    assert "U krijgt hierover al geen e-mails" in client.get(path).get_data(as_text=True)


def test_the_pages_own_button_is_csrf_checked(database_url, outbox):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    user = make_user(app)
    path = topic_mail(app, user)
    client = app.test_client()
    assert client.post(path, data={}).status_code == 400
    assert client.post(path, data={"csrf_token": "vervalst"}).status_code == 400
    assert delivery(app, user) is None
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 200
    assert delivery(app, user) == "none"


def test_a_changed_or_forged_token_is_refused(app, client, outbox):
    user, other = make_user(app), make_user(app)
    path = topic_mail(app, user)
    token = path.rsplit("/", 1)[1]
    changed = [
        token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :] for i in (0, len(token) // 2, len(token) - 1)
    ]
    with app.app_context():
        forged = URLSafeSerializer("een-andere-sleutel", salt="unsubscribe").dumps([user.id, "issue_status"])
        someone_else = make_token(other.id, "issue_status")
    for bad in [*changed, forged, "x", "%00", token + "x", someone_else.split(".")[0] + "." + token.split(".")[1]]:
        for method in (client.get, client.post):
            response = method(f"/unsubscribe/{bad}", data={"List-Unsubscribe": "One-Click"})
            assert response.status_code == 404, (bad, response.status_code)
    assert delivery(app, user) is None and delivery(app, other) is None


def test_a_token_for_an_unknown_topic_or_account_is_refused(app, client):
    user = make_user(app)
    with app.app_context():
        for token in (make_token(user.id, "no_such_topic"), make_token(999999, "reactions")):
            assert subscription_for(token) is None
            assert client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
        signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe")
        assert subscription_for(signer.dumps({"u": user.id})) is None  # signed, but not ours (other digest)


def test_waiting_mails_of_that_topic_are_cancelled(app, client, outbox):
    user = make_user(app)
    path = topic_mail(app, user)
    with app.app_context():
        for topic in ("issue_status", "reactions"):
            row = queue_mail(kind="summary", to=user.email, user=user.id, subject="Later", body="...", topic=topic)
            row.next_attempt_at = utcnow() + timedelta(hours=1)  # waiting for a retry
        db.session.commit()
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with app.app_context():
        waiting = dict(
            db.session.execute(
                sa.select(OutboxMail.topic, OutboxMail.status).where(OutboxMail.subject == "Later")
            ).all()
        )
    assert waiting == {"issue_status": "cancelled", "reactions": "pending"}


def test_stopping_the_daily_digest_switches_off_what_it_gathers(app, client, outbox):
    user = make_user(app)
    with app.app_context():
        db.session.add(NotificationPreference(user_id=user.id, topic="covenants", delivery="daily"))
        db.session.commit()
    path = topic_mail(app, user, topic="digest_daily")
    assert "Elke dag een overzicht per e-mail" in client.get(path).get_data(as_text=True)
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    # reactions and working groups are daily by default, covenants by choice; what came at once stays so
    assert [delivery(app, user, t) for t in ("reactions", "working_group", "covenants")] == ["none"] * 3
    assert delivery(app, user, "issue_status") is None


def test_unsubscribing_is_rate_limited_per_address(database_url, outbox):
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_UNSUBSCRIBE="3 per minute")
    user = make_user(app)
    path = topic_mail(app, user)
    client = app.test_client()
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(path, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_the_policy_lets_only_a_valid_link_unsubscribe(app):
    user = make_user(app)
    with app.test_request_context():
        anonymous = AnonymousUserMixin()
        assert not can(anonymous, "mail.unsubscribe", None)
        assert can(anonymous, "mail.unsubscribe", subscription_for(make_token(user.id, "reactions")))


@pytest.mark.parametrize("topic", ["issue_status", "moderation_summary", "digest_weekly"])
def test_every_kind_of_topic_gives_a_working_link(app, client, outbox, topic):
    user = make_user(app, role="wijkregisseur")
    path = topic_mail(app, user, topic=topic)
    assert client.get(path).status_code == 200
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
