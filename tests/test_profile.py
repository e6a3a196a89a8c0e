"""The profile: display name, and whether the name is shown publicly (off by default)."""

from app.accounts.models import User
from app.extensions import db
from tests.conftest import make_user


def test_profile_changes_name_and_visibility(app, client, auth):
    user = auth.login_as("resident", name="Anouk")
    page = client.get("/account").get_data(as_text=True)
    assert "Anouk" in page and user.email in page
    response = client.post("/account", data={"display_name": "Anouk de Vries", "show_name_publicly": "y"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert saved.display_name == "Anouk de Vries"
        assert saved.show_name_publicly is True
        assert saved.public_name == "Anouk de Vries"


def test_name_is_hidden_by_default(app):
    user = make_user(app, role="resident", name="Geheim Persoon")
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert saved.show_name_publicly is False
        assert "Geheim" not in saved.public_name


def test_empty_name_is_refused(app, client, auth):
    user = auth.login_as("resident", name="Anouk")
    response = client.post("/account", data={"display_name": "   "})
    assert b'id="display_name-error"' in response.data
    with app.app_context():
        assert db.session.get(User, user.id).display_name == "Anouk"


def test_partner_without_public_name_shows_as_the_organisation(app):
    partner = make_user(app, role="partner", org="Stichting Piëzo")
    pending = make_user(app, role="partner", org="Halte 2717", status="pending")
    with app.app_context():
        assert db.session.get(User, partner.id).public_name == "Stichting Piëzo"
        assert db.session.get(User, pending.id).public_name == "partner"
