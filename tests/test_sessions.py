"""Ending a session ends it on the server: an old session cookie stops working."""

from http.cookies import SimpleCookie

from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "meeuw-zonnebloem-trap-88"


def session_cookie(client) -> str:
    cookie = client.get_cookie("bw_session")
    assert cookie is not None
    return cookie.value


def use_cookie(app, value):
    other = app.test_client()
    other.set_cookie("bw_session", value)
    return other


def test_old_session_cookie_stops_working_after_logout(app, client, auth):
    auth.login_as("resident")
    stolen = session_cookie(client)
    assert use_cookie(app, stolen).get("/account").status_code == 200
    auth.logout()
    response = use_cookie(app, stolen).get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth):
    user = make_user(app)
    auth.login(user.email)
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/account").status_code == 200
    old_cookie_here = session_cookie(client)

    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this browser got a fresh session
    assert other_device.get("/account").status_code == 302
    assert use_cookie(app, old_cookie_here).get("/account").status_code == 302
    # and the new password works, the old one not
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_wrong_current_password_changes_nothing(app, client, auth):
    user = make_user(app)
    auth.login(user.email)
    response = client.post(
        "/account/password",
        data={
            "current_password": "niet-mijn-wachtwoord",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert b'id="current_password-error"' in response.data
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_weak_new_password_is_refused(app, client, auth):
    user = make_user(app)
    auth.login(user.email)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "password1234", "new_password_confirm": "password1234"},
    )
    assert b'id="new_password-error"' in response.data


def test_suspending_an_account_ends_its_sessions(app, client, auth):
    target = make_user(app)
    victim_client = app.test_client()
    victim_client.post("/login", data={"email": target.email, "password": PASSWORD})
    assert victim_client.get("/account").status_code == 200
    auth.login_as("admin")
    response = client.post(f"/admin/users/{target.id}", data={"role": "resident"})  # 'active' unchecked
    assert response.status_code == 302
    assert victim_client.get("/account").status_code == 302


def test_session_cookie_is_httponly_and_lax(app, client, auth):
    user = make_user(app)
    response = auth.login(user.email)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("bw_session="))
    parsed = SimpleCookie(header)["bw_session"]
    assert parsed["httponly"]
    assert parsed["samesite"] == "Lax"
    assert not parsed["secure"]  # only in production, see test_security


def test_login_does_not_keep_a_planted_session(app, client, auth):
    """No session fixation: a session token planted before login is replaced, and the old one stays dead."""
    with client.session_transaction() as session:
        session["sid"] = "planted-by-attacker"
        session["lang"] = "en"
    user = make_user(app)
    auth.login(user.email)
    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-attacker"
        assert session["lang"] == "en"  # the language choice survives


def test_expired_session_does_not_work_and_is_cleaned_up(app, client, auth):
    from datetime import timedelta

    import sqlalchemy as sa

    from app.accounts.models import UserSession
    from app.extensions import db
    from app.models_common import utcnow

    user = make_user(app)
    auth.login(user.email)
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/account").status_code == 302
    auth.login(user.email)
    with app.app_context():
        rows = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all()
        assert len(rows) == 1 and rows[0].expires_at > utcnow()
