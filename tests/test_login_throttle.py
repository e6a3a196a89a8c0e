"""Wrong passwords slow down whoever types them, and never lock the owner out.

Failed logins count per account and client (tight), per account alone (a high ceiling, past which only
browsers where the account logged in before may try a password, and others get a login link by mail),
and the owner hears by mail, at most once a day, that the account is being guessed.
"""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.models_common import utcnow
from tests.conftest import PASSWORD, make_app, make_user

WRONG = "fout-fout-fout-1"


def limited_app(database_url, **overrides):
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_LOGIN": "1000 per minute",  # the per-client limit on all attempts stays out of the way here
        "RATELIMIT_LOGIN_CLIENT": "10 per minute;50 per hour",
        "RATELIMIT_LOGIN_ACCOUNT": "100 per hour",
        "LOGIN_WARNING_AFTER": "1000 per day",
    }
    settings.update(overrides)
    return make_app(database_url, **settings)


def attempt(client, email, password, ip):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def outbox_of(app):
    return app.extensions.setdefault("mail_outbox", [])


# --- per account and client ---------------------------------------------------------------------------


def test_wrong_passwords_from_one_client_do_not_stop_the_owner_on_another(database_url):
    app = limited_app(database_url)
    user = make_user(app)
    attacker = app.test_client()
    statuses = [attempt(attacker, user.email, WRONG, "203.0.113.7").status_code for _ in range(15)]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
    owner = app.test_client()
    assert attempt(owner, user.email, PASSWORD, "198.51.100.20").status_code == 302
    assert owner.get("/account").status_code == 200


def test_the_guessing_client_is_slowed_even_with_the_right_password(database_url):
    app = limited_app(database_url)
    user = make_user(app)
    attacker = app.test_client()
    for _ in range(10):
        attempt(attacker, user.email, WRONG, "203.0.113.7")
    response = attempt(attacker, user.email, PASSWORD, "203.0.113.7")
    assert response.status_code == 429  # not checked at all: no answer to learn from
    assert "Te vaak geprobeerd" in response.get_data(as_text=True)
    assert attacker.get("/account").status_code == 302
    # the same client may still log in to another account, and another client to this one
    other = make_user(app)
    assert attempt(attacker, other.email, PASSWORD, "203.0.113.7").status_code == 302
    assert attempt(app.test_client(), user.email, PASSWORD, "198.51.100.20").status_code == 302


def test_an_ipv6_client_counts_by_its_64_network(database_url):
    """Otherwise one phone could take a fresh address from its /64 for every guess."""
    app = limited_app(database_url, RATELIMIT_LOGIN_CLIENT="3 per minute")
    user = make_user(app)
    client = app.test_client()
    statuses = [attempt(client, user.email, WRONG, f"2001:db8:1:2::{i:x}").status_code for i in range(1, 6)]
    assert statuses == [200, 200, 200, 429, 429]
    assert attempt(client, user.email, PASSWORD, "2001:db8:1:3::1").status_code == 302  # another network


# --- the ceiling per account, and the device cookie ------------------------------------------------------


def test_the_ceiling_per_account_stops_guessing_from_many_addresses(database_url):
    app = limited_app(database_url, RATELIMIT_LOGIN_ACCOUNT="5 per hour")
    user = make_user(app)
    for i in range(5):
        assert attempt(app.test_client(), user.email, WRONG, f"203.0.113.{i}").status_code == 200
    fresh = app.test_client()
    response = attempt(fresh, user.email, PASSWORD, "198.51.100.1")
    assert response.status_code == 429  # a new browser: the password is not checked, so not confirmed either
    text = response.get_data(as_text=True)
    assert "beveiligen" in text or "apparaat" in text
    assert 'action="/login/link"' in text
    assert fresh.get("/account").status_code == 302
    # an unknown address is treated exactly the same
    for i in range(5):
        attempt(app.test_client(), "niemand@example.org", WRONG, f"203.0.113.{i}")
    assert attempt(app.test_client(), "niemand@example.org", PASSWORD, "198.51.100.1").status_code == 429


def test_a_browser_where_the_owner_logged_in_before_passes_the_ceiling(database_url):
    app = limited_app(database_url, RATELIMIT_LOGIN_ACCOUNT="5 per hour")
    user = make_user(app)
    laptop = app.test_client()
    assert attempt(laptop, user.email, PASSWORD, "198.51.100.1").status_code == 302
    assert "bw_device" in laptop.get_cookie("bw_device", path="/login").key
    laptop.post("/logout")
    for i in range(10):
        attempt(app.test_client(), user.email, WRONG, f"203.0.113.{i}")
    assert attempt(laptop, user.email, PASSWORD, "192.0.2.50").status_code == 302  # even from another network
    assert laptop.get("/account").status_code == 200


def test_a_device_cookie_is_bound_to_its_account_and_cannot_be_forged(database_url):
    app = limited_app(database_url, RATELIMIT_LOGIN_ACCOUNT="5 per hour")
    owner, other = make_user(app), make_user(app)
    browser = app.test_client()
    assert attempt(browser, other.email, PASSWORD, "198.51.100.1").status_code == 302
    browser.post("/logout")
    for i in range(5):
        attempt(app.test_client(), owner.email, WRONG, f"203.0.113.{i}")
    assert attempt(browser, owner.email, PASSWORD, "198.51.100.1").status_code == 429  # cookie of another account
    forger = app.test_client()
    forger.set_cookie("bw_device", "eyJuIjoieCIsImEiOltdfQ.forged.signature", path="/login")
    assert attempt(forger, owner.email, PASSWORD, "198.51.100.2").status_code == 429


def test_past_the_ceiling_the_owner_gets_in_with_a_link_by_mail(database_url):
    app = limited_app(database_url, RATELIMIT_LOGIN_ACCOUNT="5 per hour")
    user = make_user(app)
    for i in range(5):
        attempt(app.test_client(), user.email, WRONG, f"203.0.113.{i}")
    new_laptop = app.test_client()
    assert attempt(new_laptop, user.email, PASSWORD, "198.51.100.1").status_code == 429
    page = new_laptop.post("/login/link", data={"email": user.email, "next": "/account"})
    assert page.status_code == 200
    mail = [m for m in outbox_of(app) if "link om in te loggen" in m.subject][-1]
    path = re.search(r"http://localhost(/login/link/\S+)", mail.body).group(1)
    assert new_laptop.get(path).status_code == 200 and new_laptop.get("/account").status_code == 302
    response = new_laptop.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert new_laptop.get("/account").status_code == 200
    assert app.test_client().post(path).status_code == 400  # it works once
    new_laptop.post("/logout")
    assert attempt(new_laptop, user.email, PASSWORD, "198.51.100.1").status_code == 302  # and trusted from now on


# --- telling the owner --------------------------------------------------------------------------------------


def test_the_owner_is_told_once_a_day_that_the_account_is_being_guessed(database_url):
    app = limited_app(database_url, LOGIN_WARNING_AFTER="3 per day")
    user = make_user(app)
    for i in range(8):
        attempt(app.test_client(), user.email, WRONG, f"203.0.113.{i}")
    warnings = [m for m in outbox_of(app) if m.to == user.email]
    assert len(warnings) == 1
    assert "http://localhost/password/forgot" in warnings[0].body
    with app.app_context():  # a day later, the next attack is told again
        db.session.get(User, user.id).login_warning_sent_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    attempt(app.test_client(), user.email, WRONG, "203.0.113.99")
    assert len([m for m in outbox_of(app) if m.to == user.email]) == 2


def test_being_slowed_down_also_tells_the_owner(database_url):
    app = limited_app(database_url, RATELIMIT_LOGIN_CLIENT="3 per minute")
    user = make_user(app)
    client = app.test_client()
    for _ in range(6):
        attempt(client, user.email, WRONG, "203.0.113.7")
    assert [m.to for m in outbox_of(app)] == [user.email]


def test_no_warning_for_an_unknown_address(database_url):
    app = limited_app(database_url, LOGIN_WARNING_AFTER="2 per day")
    for i in range(5):
        attempt(app.test_client(), "niemand@example.org", WRONG, f"203.0.113.{i}")
    assert outbox_of(app) == []


# --- the same thinking for reset, confirmation and re-entering the password -------------------------------


def test_many_reset_requests_for_an_address_do_not_lock_its_owner_out(database_url):
    app = limited_app(database_url, RATELIMIT_RESET="5 per minute", RATELIMIT_ACCOUNT_MAIL="3 per hour")
    user = make_user(app)
    for i in range(10):  # a stranger, from many addresses
        response = app.test_client().post(
            "/password/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": f"203.0.113.{i}"}
        )
        assert response.status_code == 200
    owner = app.test_client().post(
        "/password/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    assert owner.status_code == 200  # never refused; the mails sent already still work
    assert len(outbox_of(app)) == 3  # and the owner's mailbox is not flooded


def test_resending_the_confirmation_is_limited_per_address_without_refusing_anyone(database_url):
    app = limited_app(database_url, RATELIMIT_RESET="5 per minute", RATELIMIT_ACCOUNT_MAIL="2 per hour")
    from tests.test_registration import form

    assert app.test_client().post("/register", data=form()).status_code == 200
    for i in range(6):
        response = app.test_client().post(
            "/register/resend", data={"email": "fatima@example.org"}, environ_base={"REMOTE_ADDR": f"203.0.113.{i}"}
        )
        assert response.status_code == 200
    assert len(outbox_of(app)) == 2


def test_guessing_the_current_password_while_signed_in_is_limited_per_person(database_url):
    app = limited_app(database_url, RATELIMIT_SIGN="3 per minute")
    user, other = make_user(app), make_user(app)
    client = app.test_client()
    attempt(client, user.email, PASSWORD, "198.51.100.1")
    data = {
        "current_password": WRONG,
        "new_password": "zeilboot-paraplu-mei-31",
        "new_password_confirm": "zeilboot-paraplu-mei-31",
    }
    statuses = [client.post("/account/password", data=data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    someone_else = app.test_client()
    attempt(someone_else, other.email, PASSWORD, "198.51.100.1")  # same address, another person: not affected
    assert someone_else.post("/account/password", data=data).status_code == 200


def test_limits_never_hold_email_addresses(database_url):
    app = limited_app(database_url)
    user = make_user(app)
    attempt(app.test_client(), user.email, WRONG, "203.0.113.7")
    from app.extensions import limiter

    keys = " ".join(str(k) for k in getattr(limiter.storage, "storage", {}))
    assert keys and user.email not in keys


def test_login_warning_column_survives_two_requests_at_once(database_url):
    """The once-a-day claim is one conditional update: only one of two racing requests wins it."""
    app = limited_app(database_url)
    user = make_user(app)
    from app.accounts.throttle import claim_daily_warning

    with app.app_context():
        assert claim_daily_warning(user.email) is not None
        assert claim_daily_warning(user.email) is None
        db.session.commit()
        stored = db.session.scalar(sa.select(User.login_warning_sent_at).where(User.id == user.id))
        assert stored is not None
