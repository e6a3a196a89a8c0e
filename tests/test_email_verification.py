"""E-mail verification: registering never logs in and never tells whether an address has an account; the
link in the mail confirms the address and logs the person in, straight back to where they were going."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from app.models_common import utcnow
from tests.conftest import PASSWORD, make_app, make_issue, make_process, make_user, page_text
from tests.test_registration import form

CONFIRM = re.compile(r"http://localhost(/register/confirm/\S+)")


def link(mail, pattern=CONFIRM) -> str:
    match = pattern.search(mail.body)
    assert match, mail.body
    return match.group(1)


def user_row(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def register_unconfirmed(client, outbox, **overrides):
    assert client.post("/register", data=form(**overrides)).status_code == 200
    return link(outbox[-1])


# --- the same answer for every address ----------------------------------------------------------


def test_registering_an_existing_address_shows_the_same_page_as_a_new_one(app, client, outbox):
    make_user(app, email="bestaand@example.org")
    new = client.post("/register", data=form(email="nieuw@example.org"))
    existing = client.post("/register", data=form(email="bestaand@example.org"))
    assert new.status_code == existing.status_code == 200
    assert page_text(new).replace("nieuw@example.org", "X") == page_text(existing).replace("bestaand@example.org", "X")
    assert [m.to for m in outbox] == ["nieuw@example.org", "bestaand@example.org"]


def test_registering_an_existing_address_changes_nothing(app, client, outbox):
    owner = make_user(app, email="fatima@example.org", name="Fatima", password=PASSWORD)
    before = user_row(app, owner.email)
    other_password = "ander-wachtwoord-voor-de-test-9"
    client.post(
        "/register",
        data=form(
            display_name="Indringer",
            password=other_password,
            password_confirm=other_password,
            role="partner",
            new_organisation="Nepclub",
            new_organisation_kind="network",
        ),
    )
    after = user_row(app, owner.email)
    assert (after.display_name, after.password_hash, after.role) == (
        before.display_name,
        before.password_hash,
        before.role,
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
    assert app.test_client().post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 302


def test_registration_hashes_the_password_also_for_an_existing_address(app, client, monkeypatch):
    """No timing oracle: the slow part (the password hash) runs whether or not the address has an account."""
    import app.accounts.registration as registration

    calls = []
    real = registration.hash_password
    monkeypatch.setattr(registration, "hash_password", lambda pw: calls.append(pw) or real(pw))
    make_user(app, email="bestaand@example.org")
    client.post("/register", data=form(email="bestaand@example.org"))
    client.post("/register", data=form(email="nieuw@example.org"))
    assert len(calls) == 2


RESET = re.compile(r"http://localhost(/password/reset/\S+)")


def test_registering_again_for_a_waiting_account_offers_only_to_choose_a_password(app, client, outbox):
    """Someone registers another person's address first and knows that account's password. When the owner
    registers too, their mail must not confirm that account as it is (they would log in to an account whose
    password the other knows): it only lets them choose their own password, which also confirms the address."""
    attacker_password = "wachtwoord-van-een-ander-77"
    register_unconfirmed(client, outbox, password=attacker_password, password_confirm=attacker_password)
    first = user_row(app, "fatima@example.org")
    owner_password = "zonnebloem-kaars-tegel-31"
    owner = app.test_client()
    assert (
        owner.post("/register", data=form(password=owner_password, password_confirm=owner_password)).status_code == 200
    )
    assert len(outbox) == 2
    mail = outbox[-1]
    assert "wacht op bevestiging" in mail.body
    assert not CONFIRM.search(mail.body)  # no link that confirms the account with the other's password
    assert user_row(app, "fatima@example.org").password_hash == first.password_hash  # registering changed nothing

    path = link(mail, RESET)
    assert owner.post(path, data={"password": owner_password, "password_confirm": owner_password}).status_code == 302
    assert user_row(app, "fatima@example.org").email_verified_at is not None
    stranger = app.test_client()
    refused = stranger.post("/login", data={"email": "fatima@example.org", "password": attacker_password})
    assert refused.status_code == 200 and "/account" not in refused.headers.get("Location", "")
    assert stranger.get("/account").status_code == 302  # not logged in
    assert owner.post("/login", data={"email": "fatima@example.org", "password": owner_password}).status_code == 302


def test_an_unused_registration_whose_link_expired_frees_the_address(app, client, outbox):
    register_unconfirmed(client, outbox, display_name="Iemand Anders")
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        user.created_at = utcnow() - timedelta(days=4)
        db.session.commit()
    path = register_unconfirmed(client, outbox)
    assert user_row(app, "fatima@example.org").display_name == "Fatima el Amrani"
    assert client.post(path).status_code == 302


# --- the link: confirm, log in, go on ---------------------------------------------------------------


def test_opening_the_link_changes_nothing_until_the_button_is_pressed(app, client, outbox):
    """A mail scanner that opens links confirms nothing, and another site cannot log a visitor in."""
    path = register_unconfirmed(client, outbox)
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Fatima el Amrani" in text and "fatima@example.org" in text and 'method="post"' in text
    assert user_row(app, "fatima@example.org").email_verified_at is None
    assert client.get("/account").status_code == 302


def test_the_link_confirms_logs_in_and_goes_where_the_person_was_going(app, client, outbox):
    process = make_process(app, phase="issues")
    author = make_user(app)
    issue = make_issue(app, process.id, author.id)
    target = f"/issues/{issue.id}"
    # from the issue page: "log in to support" -> "register" keeps where the person was going
    login_page = client.get(f"/login?next={target}").get_data(as_text=True)
    assert f"/register?next=/issues/{issue.id}" in login_page
    register_page = client.get(f"/register?next={target}").get_data(as_text=True)
    assert f'value="{target}"' in register_page
    client.post("/register", data=form(next=target))
    response = client.post(link(outbox[-1]))
    assert response.status_code == 302 and response.headers["Location"] == target
    assert user_row(app, "fatima@example.org").email_verified_at is not None
    assert client.post(f"{target}/support").status_code == 302  # the first support, right away
    with app.app_context():
        from app.issues.models import Support

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 1


def test_the_link_never_leads_to_another_site(app, client, outbox):
    client.post("/register", data=form(next="https://evil.example/"))
    response = client.post(link(outbox[-1]))
    assert response.headers["Location"] == "/"


def test_the_link_confirms_once(app, client, outbox):
    path = register_unconfirmed(client, outbox)
    assert client.post(path).status_code == 302
    assert client.post(path).status_code == 302  # pressed twice in the same browser: just goes on
    client.post("/logout")
    again = app.test_client().get(path)
    assert again.status_code == 200 and "al bevestigd" in again.get_data(as_text=True)
    assert app.test_client().post(path).status_code == 200
    assert app.test_client().get("/account").status_code == 302


@pytest.mark.parametrize("bad", ["x", "eyJ1IjoxfQ.abc.def", "a" * 5000])
def test_a_broken_link_is_refused_with_a_way_to_ask_again(app, client, bad):
    for method in (client.get, client.post):
        response = method(f"/register/confirm/{bad}")
        assert response.status_code == 400
        assert "/register/resend" in response.get_data(as_text=True)


def test_an_expired_link_is_refused(app, client, outbox):
    path = register_unconfirmed(client, outbox)
    app.config["EMAIL_VERIFY_MAX_AGE"] = -1
    assert client.post(path).status_code == 400
    assert user_row(app, "fatima@example.org").email_verified_at is None


def test_links_come_from_base_url_not_the_host_header(app, client, outbox):
    app.config["BASE_URL"] = "https://doemee.example.nl"
    client.post("/register", data=form(), headers={"Host": "evil.example"})
    assert "https://doemee.example.nl/register/confirm/" in outbox[-1].body
    assert "evil.example" not in outbox[-1].body


# --- what an unconfirmed account can do -----------------------------------------------------------


def test_unconfirmed_account_cannot_log_in_and_is_offered_the_mail_again(app, client, outbox):
    register_unconfirmed(client, outbox)
    response = client.post("/login", data={"email": "fatima@example.org", "password": PASSWORD})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "nog niet bevestigd" in text and 'action="/register/resend"' in text
    assert client.get("/account").status_code == 302
    client.post("/register/resend", data={"email": "fatima@example.org"})
    assert len(outbox) == 2 and CONFIRM.search(outbox[-1].body)


def test_a_wrong_password_does_not_reveal_an_unconfirmed_account(app, client, outbox):
    register_unconfirmed(client, outbox)
    waiting = client.post("/login", data={"email": "fatima@example.org", "password": "fout-fout-fout-1"})
    unknown = client.post("/login", data={"email": "niemand@example.org", "password": "fout-fout-fout-1"})
    assert page_text(waiting).replace("fatima@example.org", "X") == page_text(unknown).replace(
        "niemand@example.org", "X"
    )


def test_resend_says_the_same_for_every_address_and_mails_only_a_waiting_account(app, client, outbox):
    register_unconfirmed(client, outbox)
    confirmed = make_user(app, email="klaar@example.org")
    pages = [
        page_text(client.post("/register/resend", data={"email": email})).replace(email, "X")
        for email in ("fatima@example.org", confirmed.email, "niemand@example.org")
    ]
    assert pages[0] == pages[1] == pages[2]
    assert [m.to for m in outbox] == ["fatima@example.org", "fatima@example.org"]
    assert client.get("/register/resend").status_code == 200


def test_choosing_a_new_password_confirms_the_address(app, client, outbox):
    """Resetting proves the address too, and replaces whatever password was chosen at registration."""
    register_unconfirmed(client, outbox)
    client.post("/password/forgot", data={"email": "fatima@example.org"})
    path = re.search(r"http://localhost(/password/reset/\S+)", outbox[-1].body).group(1)
    new = "zeilboot-paraplu-mei-31"
    assert client.post(path, data={"password": new, "password_confirm": new}).status_code == 302
    assert client.post("/login", data={"email": "fatima@example.org", "password": new}).status_code == 302


def test_a_partner_request_reaches_the_director_once_the_address_is_confirmed(app, client, auth, outbox):
    org_name = "Buurtmoestuin"
    path = register_unconfirmed(
        client, outbox, role="partner", new_organisation=org_name, new_organisation_kind="network"
    )
    director = app.test_client()
    wijkregisseur = make_user(app, role="wijkregisseur")
    director.post("/login", data={"email": wijkregisseur.email, "password": PASSWORD})
    assert "Fatima el Amrani" not in director.get("/admin/memberships").get_data(as_text=True)
    client.post(path)
    assert "Fatima el Amrani" in director.get("/admin/memberships").get_data(as_text=True)


# --- accounts that count as confirmed -----------------------------------------------------------------


def test_accounts_made_by_the_cli_and_the_demo_data_are_confirmed(app, runner):
    result = runner.invoke(
        args=["users", "create", "cli@example.org", "--name", "Cli", "--role", "wethouder", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert user_row(app, "cli@example.org").email_verified_at is not None
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email_verified_at.is_(None))) == 0
        )


def test_an_administrator_can_confirm_an_address_and_others_cannot(app, client, auth, outbox):
    register_unconfirmed(client, outbox)
    user = user_row(app, "fatima@example.org")
    auth.login_as("wijkregisseur")
    assert client.post(f"/admin/users/{user.id}/confirm-email").status_code == 403
    auth.logout()
    auth.login_as("admin")
    assert "nog niet" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/confirm-email").status_code == 302
    assert user_row(app, user.email).email_verified_at is not None
    assert client.post("/admin/users/999999/confirm-email").status_code == 404


def test_the_migration_marks_existing_accounts_confirmed(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'm.sqlite'}")
    with app.app_context():
        upgrade(revision="0007_rendered_html")
        db.session.execute(
            sa.text(
                "INSERT INTO users (email, display_name, password_hash, role, show_name_publicly, active, "
                "created_at, password_changed_at) VALUES ('oud@example.org', 'Oud', 'x', 'resident', 0, 1, "
                "'2026-01-02 03:04:05', '2026-01-02 03:04:05')"
            )
        )
        db.session.commit()
        upgrade(revision="0008_email_verification")
        verified = db.session.execute(sa.text("SELECT email_verified_at FROM users")).scalar_one()
        assert str(verified).startswith("2026-01-02 03:04:05")
        db.engine.dispose()
