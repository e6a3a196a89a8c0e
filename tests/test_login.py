"""Logging in and out; the same answer whether or not an account exists; safe `next`; rate limits.

How failed logins are limited without locking the owner out: tests/test_login_throttle.py.
"""

from tests.conftest import PASSWORD, make_app, make_user, page_text


def test_login_with_right_password_signs_in(app, client, auth):
    user = make_user(app)
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_login_email_is_case_insensitive(app, client, auth):
    make_user(app, email="anouk@example.org")
    assert auth.login("  Anouk@Example.ORG").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client, auth):
    user = make_user(app)
    wrong = auth.login(user.email, "verkeerd-wachtwoord-123")
    unknown = auth.login("niemand@example.org", "verkeerd-wachtwoord-123")
    assert wrong.status_code == unknown.status_code == 200
    body_wrong = page_text(wrong).replace(user.email, "X")
    body_unknown = page_text(unknown).replace("niemand@example.org", "X")
    assert body_wrong == body_unknown
    assert client.get("/account").status_code == 302


def test_suspended_account_cannot_log_in(app, client, auth):
    user = make_user(app, active=False)
    response = auth.login(user.email)
    assert response.status_code == 200
    assert client.get("/account").status_code == 302


def test_next_goes_back_to_a_page_on_this_site(app, client):
    user = make_user(app)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"


def test_next_to_another_site_is_ignored(app, client):
    user = make_user(app)
    for evil in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "\t//evil.example",
    ):
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": evil})
        assert response.status_code == 302
        assert response.headers["Location"] == "/", evil


def test_login_page_keeps_next_from_the_query(client):
    response = client.get("/login?next=/account")
    assert b'value="/account"' in response.data


def test_logout_is_a_post(app, client, auth):
    auth.login_as("resident")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302


def _limited_app(database_url):
    return make_app(
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
        RATELIMIT_LOGIN_ACCOUNT="3 per minute",
        RATELIMIT_RESET="2 per minute",
    )


def test_login_is_rate_limited_the_same_for_existing_and_unknown_accounts(database_url):
    app = _limited_app(database_url)
    user = make_user(app)
    for email in (user.email, "niemand@example.org"):
        client = app.test_client()
        statuses = [
            client.post(
                "/login",
                data={"email": email, "password": "fout-fout-fout-1"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{len(email)}"},
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429], (email, statuses)
        page = client.post(
            "/login", data={"email": email, "password": "x"}, environ_base={"REMOTE_ADDR": f"10.0.0.{len(email)}"}
        )
        assert page.status_code == 429
        assert "Te vaak geprobeerd" in page.get_data(as_text=True)


def test_login_ceiling_per_account_holds_across_addresses(database_url):
    """Past the ceiling per account a new browser is not let through from another address either
    (tests/test_login_throttle.py: how the owner still gets in)."""
    app = _limited_app(database_url)
    user = make_user(app)
    client = app.test_client()
    statuses = [
        client.post(
            "/login",
            data={"email": user.email, "password": "fout-fout-fout-1"},
            environ_base={"REMOTE_ADDR": f"10.1.0.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert statuses[-1] == 429


def test_password_reset_is_rate_limited(database_url):
    app = _limited_app(database_url)
    client = app.test_client()
    statuses = [client.post("/password/forgot", data={"email": "a@example.org"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_successful_logins_do_not_lock_the_owner_out(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2 per minute")
    user = make_user(app)
    for i in range(4):  # more than the per-account limit, all successful, from different devices
        client = app.test_client()
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": f"10.2.0.{i}"}
        )
        assert response.status_code == 302, i
