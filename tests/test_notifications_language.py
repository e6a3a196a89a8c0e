"""The language a person chooses is stored on their account (users.language), so mails go out in it."""

from __future__ import annotations

from app.extensions import db
from tests.conftest import make_user


def _language(app, user_id: int) -> str:
    from app.accounts.models import User

    with app.app_context():
        return db.session.get(User, user_id).language


def test_switching_language_while_signed_in_is_remembered_on_the_account(app, client, auth):
    user = auth.login_as("resident")
    assert _language(app, user.id) == "nl"
    client.post("/language", data={"lang": "en", "next": "/"})
    assert _language(app, user.id) == "en"
    client.post("/language", data={"lang": "xx"})  # unknown: nothing changes
    assert _language(app, user.id) == "en"
    client.post("/language", data={"lang": "nl"})
    assert _language(app, user.id) == "nl"


def test_switching_while_signed_out_is_still_just_the_session(client):
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_logging_in_stores_the_language_chosen_before(app, client, auth):
    user = make_user(app, role="resident")
    client.post("/language", data={"lang": "en"})
    auth.login(user.email)
    assert _language(app, user.id) == "en"


def test_logging_in_on_a_new_device_shows_the_site_in_the_accounts_language(app, client, auth):
    from app.accounts.models import User

    user = make_user(app, role="resident")
    with app.app_context():
        db.session.get(User, user.id).language = "en"
        db.session.commit()
    auth.login(user.email)  # this browser never chose
    assert '<html lang="en"' in client.get("/account").get_data(as_text=True)
    assert _language(app, user.id) == "en"
