"""Every mail to a known person is written in that person's language (users.language), whoever's request or
job causes it: the outbox's footer, notification mails, the account mails (reset, confirmation, login link,
the warning that a password is being guessed) and the moderation mails. Someone who registers gets the
language they registered in."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.accounts.models import User
from app.extensions import db
from tests.conftest import make_issue, make_process, make_user
from tests.test_registration import form


def _speaks(app, person, language: str) -> None:
    with app.app_context():
        db.session.get(User, person.id).language = language
        db.session.commit()


def _mail_to(outbox, person):
    found = [mail for mail in outbox if mail.to == person.email]
    assert found, f"no mail to {person.email}"
    return found[-1]


def _site_in(client, language: str) -> None:
    client.post("/language", data={"lang": language})


def test_the_footer_and_the_mail_follow_each_readers_language_not_the_actors(app, client, auth, outbox):
    """A director reading the site in English declines an issue: its Dutch author and an English follower
    each get the notification, and the footer the outbox adds, in their own language (the mail goes out
    right after the director's request commits, inside it in tests)."""
    from app.issues.models import Follow

    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    follower = make_user(app, role="resident")
    _speaks(app, follower, "en")
    issue = make_issue(app, process.id, author.id, title="Speeltuin")
    with app.app_context():
        db.session.add(Follow(issue_id=issue.id, user_id=follower.id))
        db.session.commit()
    auth.login_as("wijkregisseur")
    _site_in(client, "en")
    data = {"decide-decision": "decline", "decide-reason": "Dit valt buiten de wijk."}
    assert client.post(f"/issues/{issue.id}/decide", data=data).status_code == 302

    dutch, english = _mail_to(outbox, author).body, _mail_to(outbox, follower).body
    assert "Uw onderwerp ‘Speeltuin’ is niet gekozen" in dutch
    assert "Geen e-mails meer hierover: http://localhost/unsubscribe/" in dutch
    assert "Kies welke e-mails u krijgt: http://localhost/notifications/preferences" in dutch
    assert "Stop these e-mails" not in dutch
    assert "The issue “Speeltuin” was not chosen" in english
    assert "Stop these e-mails: http://localhost/unsubscribe/" in english
    assert "Choose which e-mails you get: http://localhost/notifications/preferences" in english
    assert "Geen e-mails meer" not in english


def test_a_password_reset_is_in_the_account_holders_language(app, client, outbox):
    english = make_user(app)
    dutch = make_user(app)
    _speaks(app, english, "en")
    client.post("/password/forgot", data={"email": english.email})  # asked on the Dutch site
    assert _mail_to(outbox, english).subject == "Choose a new password"
    assert "Someone asked for a new password" in _mail_to(outbox, english).body
    _site_in(client, "en")
    client.post("/password/forgot", data={"email": dutch.email})  # asked on the English site
    assert _mail_to(outbox, dutch).subject == "Kies een nieuw wachtwoord"


def test_registering_in_english_stores_english_for_later_mails(app, client, outbox):
    _site_in(client, "en")
    assert client.post("/register", data=form(email="newcomer@example.org")).status_code == 200
    assert outbox[-1].subject == "Confirm your e-mail address"
    with app.app_context():
        assert db.session.scalar(sa.select(User.language).where(User.email == "newcomer@example.org")) == "en"
    outbox.clear()
    _site_in(client, "nl")  # later, on the Dutch site: their mails stay English
    client.post("/password/forgot", data={"email": "newcomer@example.org"})
    assert [mail.subject for mail in outbox] == ["Choose a new password"]


@pytest.mark.parametrize(
    ("send", "dutch_subject"),
    [
        (lambda mails, user: mails.confirm_address(user, "http://localhost/x"), "Bevestig uw e-mailadres"),
        (lambda mails, user: mails.still_waiting(user, "http://localhost/x"), "Bevestig uw e-mailadres"),
        (lambda mails, user: mails.already_registered(user), "U heeft al een account"),
        (lambda mails, user: mails.login_link(user, "http://localhost/x"), "Uw link om in te loggen"),
        (lambda mails, user: mails.password_being_guessed(user), "Iemand probeert in te loggen op uw account"),
    ],
)
def test_each_account_mail_is_in_the_account_holders_language(app, outbox, send, dutch_subject):
    from app.accounts import mails

    person = make_user(app)
    with app.test_request_context(), force_locale("en"):  # caused in an English request
        send(mails, db.session.get(User, person.id))
        db.session.commit()
    assert outbox[-1].subject == dutch_subject
    assert outbox[-1].body.startswith(("Beste", "Hallo"))


def test_a_moderators_action_is_mailed_in_the_authors_language(app, client, auth, outbox):
    process = make_process(app, phase="issues")
    dutch, english = make_user(app), make_user(app)
    _speaks(app, english, "en")
    dutch_issue = make_issue(app, process.id, dutch.id, title="Hangplek")
    english_issue = make_issue(app, process.id, english.id, title="Bankjes")
    auth.login_as("wijkregisseur")
    _site_in(client, "en")
    for issue_id in (dutch_issue.id, english_issue.id):
        data = {"group": "visibility", "visibility-action": "hide", "visibility-reason": "Tegen de spelregels."}
        assert client.post(f"/moderation/issue/{issue_id}", data=data).status_code == 302
    assert _mail_to(outbox, dutch).subject == "De wijkregisseur heeft uw bijdrage verborgen."
    assert "Beste" in _mail_to(outbox, dutch).body and "De reden:" in _mail_to(outbox, dutch).body
    assert _mail_to(outbox, english).subject == "Your contribution was hidden by the neighbourhood director."
    assert "The reason:" in _mail_to(outbox, english).body


def test_hidden_after_reports_the_author_reads_why_in_their_own_language(app, client, auth, outbox):
    from datetime import timedelta

    from app.models_common import utcnow

    process = make_process(app, phase="issues")
    author = make_user(app)
    issue = make_issue(app, process.id, author.id, title="Hangplek")
    _site_in(client, "en")  # the reporters use the English site
    for n in range(3):
        reporter = auth.login_as("resident", name=f"Melder {n}")
        with app.app_context():
            db.session.get(User, reporter.id).created_at = utcnow() - timedelta(days=2)
            db.session.commit()
        assert client.post(f"/issues/{issue.id}/report", data={"reason": "Offensive"}).status_code == 302
        auth.logout()
    body = _mail_to(outbox, author).body
    assert re.search(r"Automatisch verborgen na 3 meldingen", body), body
    assert "Hidden automatically" not in body
