"""Registering as a resident or a partner; bad input is shown next to the field and saves nothing.

Registering never logs in: the link in the mail confirms the address and logs in (tests/test_email_verification.py).
"""

import re

import sqlalchemy as sa

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from tests.conftest import PASSWORD, make_organisation, make_user


def form(**overrides):
    data = {
        "display_name": "Fatima el Amrani",
        "email": "Fatima@Example.org ",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "role": "resident",
        "organisation_id": "",
        "new_organisation": "",
        "new_organisation_kind": "",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def confirm_link(mail) -> str:
    match = re.search(r"http://localhost(/register/confirm/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_resident_registers_and_is_logged_in_by_the_link_in_the_mail(app, client, outbox):
    response = client.post("/register", data=form())
    assert response.status_code == 200
    assert "Kijk in uw e-mail" in response.get_data(as_text=True)
    assert "Fatima@Example.org" in response.get_data(as_text=True)  # a typo in the address shows here
    assert client.get("/account").status_code == 302  # registering alone does not log in
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "fatima@example.org"  # normalised
        assert user.role == "resident"
        assert user.show_name_publicly is False  # off by default
        assert user.privacy_accepted_at is not None
        assert user.email_verified_at is None
        assert user.password_hash != PASSWORD and user.password_hash.startswith("scrypt:")
    assert [m.to for m in outbox] == ["fatima@example.org"]
    link = confirm_link(outbox[0])
    assert client.post(link).status_code == 302
    assert "Mijn account" in client.get("/").get_data(as_text=True)  # logged in by the link


def test_partner_picks_an_existing_organisation_and_waits_for_approval(app, client):
    org = make_organisation(app, "Stichting Piëzo")
    response = client.post("/register", data=form(role="partner", organisation_id=str(org.id)))
    assert response.status_code == 200
    with app.app_context():
        membership = db.session.scalar(sa.select(Membership))
        assert membership.organisation_id == org.id
        assert membership.status == "pending"
        assert membership.is_signatory is False


def test_partner_names_a_new_organisation(app, client):
    response = client.post(
        "/register", data=form(role="partner", new_organisation="Buurtsportclub Noord", new_organisation_kind="network")
    )
    assert response.status_code == 200
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Buurtsportclub Noord"))
        assert org is not None and org.kind == "network"


def test_partner_naming_an_existing_organisation_joins_it(app, client):
    make_organisation(app, "Halte 2717")
    client.post("/register", data=form(role="partner", new_organisation="halte 2717", new_organisation_kind="network"))
    assert count(app, Organisation) == 1
    assert count(app, Membership) == 1


def test_partner_without_organisation_gets_a_message_next_to_the_field(app, client):
    response = client.post("/register", data=form(role="partner"))
    assert response.status_code == 200
    assert b'id="organisation_id-error"' in response.data
    assert count(app, User) == 0


def test_short_password_is_refused_next_to_the_field(app, client):
    response = client.post("/register", data=form(password="kort", password_confirm="kort"))
    assert response.status_code == 200
    assert b'id="password-error"' in response.data
    assert b'aria-invalid="true"' in response.data
    assert b"data-error-summary" in response.data  # the summary at the top too
    assert count(app, User) == 0


def test_common_password_is_refused(app, client):
    for weak in ("password1234", "welkom123456", "qwertyuiopas", "zoetermeer2026"):
        response = client.post("/register", data=form(password=weak, password_confirm=weak))
        assert b'id="password-error"' in response.data, weak
    assert count(app, User) == 0


def test_password_with_own_name_is_refused(app, client):
    pw = "fatima-el-amrani-zegt-hoi"
    response = client.post("/register", data=form(password=pw, password_confirm=pw))
    assert b'id="password-error"' in response.data


def test_passwords_must_match(app, client):
    response = client.post("/register", data=form(password_confirm=PASSWORD + "x"))
    assert b'id="password_confirm-error"' in response.data
    assert count(app, User) == 0


def test_privacy_consent_is_required(app, client):
    data = form()
    del data["accept_privacy"]
    response = client.post("/register", data=data)
    assert b'id="accept_privacy-error"' in response.data
    assert count(app, User) == 0


def test_invalid_email_is_refused(app, client):
    response = client.post("/register", data=form(email="niet-een-adres"))
    assert b'id="email-error"' in response.data
    assert count(app, User) == 0


def test_only_resident_or_partner_can_be_chosen(app, client):
    response = client.post("/register", data=form(role="admin"))
    assert response.status_code == 200
    assert b'id="role-error"' in response.data
    assert count(app, User) == 0


def test_an_address_with_an_account_gets_the_same_page_and_a_mail_instead(app, client, outbox):
    """Registration tells nobody whether an address has an account: the owner hears it by mail."""
    owner = make_user(app, email="fatima@example.org", name="Fatima")
    response = client.post(
        "/register",
        data=form(
            display_name="Iemand Anders",
            role="partner",
            new_organisation="Nieuwe Club",
            new_organisation_kind="network",
        ),
    )
    assert response.status_code == 200 and "Kijk in uw e-mail" in response.get_data(as_text=True)
    assert count(app, User) == 1
    assert [m.to for m in outbox] == [owner.email]
    assert "al een account" in outbox[0].subject
    assert "http://localhost/login" in outbox[0].body and "http://localhost/password/forgot" in outbox[0].body


def test_failed_partner_registration_saves_no_organisation(app, client):
    """Nothing half: no new organisation when no account is made."""
    make_user(app, email="fatima@example.org")
    client.post("/register", data=form(role="partner", new_organisation="Nieuwe Club", new_organisation_kind="network"))
    assert count(app, Organisation) == 0


def test_privacy_statement_is_a_real_page(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Autoriteit Persoonsgegevens" in text
    assert len(text) > 3000
    register = client.get("/register").get_data(as_text=True)
    assert 'href="/privacy"' in register


def test_fields_without_errors_carry_no_empty_aria(client):
    html = client.get("/register").get_data(as_text=True)
    assert '"None"' not in html
    assert "aria-invalid" not in html
    assert 'aria-describedby="display_name-description"' in html


def test_new_organisation_from_registration_is_not_offered_to_others_until_checked(app, client):
    client.post(
        "/register",
        data=form(role="partner", new_organisation="Gemeente Zoetermeer 2", new_organisation_kind="municipality"),
    )
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Gemeente Zoetermeer 2"))
        assert org.verified is False
    other = client.application.test_client()
    assert "Gemeente Zoetermeer 2" not in other.get("/register").get_data(as_text=True)
    # and it cannot be picked by id either
    response = other.post("/register", data=form(email="b@example.org", role="partner", organisation_id=str(org.id)))
    assert b'id="organisation_id-error"' in response.data


def test_approving_a_member_marks_the_organisation_checked(app, client, auth):
    client.post(
        "/register", data=form(role="partner", new_organisation="Buurtmoestuin", new_organisation_kind="network")
    )
    client.post("/logout")
    auth.login_as("wijkregisseur")
    with app.app_context():
        membership = db.session.scalar(sa.select(Membership))
    client.post(f"/admin/memberships/{membership.id}/decide", data={"decision": "approve"})
    assert "Buurtmoestuin" in app.test_client().get("/register").get_data(as_text=True)
