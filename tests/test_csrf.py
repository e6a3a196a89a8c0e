"""Every POST route refuses a request without a valid CSRF token."""

import re

from tests.conftest import PASSWORD, make_app, make_process, make_user
from tests.routes import example_urls


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token in the form"
    return match.group(1)


def test_every_post_route_refuses_a_request_without_csrf_token(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    admin = make_user(app, role="admin")
    process = make_process(app, slug="buytenwegh")
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    signed_in = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token_from(login_page)}
    )
    assert signed_in.status_code == 302  # a valid token works
    post_routes = example_urls(app, "POST", {"slug": process.slug, "token": "x"})
    assert len(post_routes) >= 12, post_routes
    for endpoint, url in post_routes:
        without = client.post(url, data={"anything": "1"})
        assert without.status_code == 400, (endpoint, url, without.status_code)
        assert "verlopen" in without.get_data(as_text=True), endpoint  # refused for the token, not anything else
        wrong = client.post(url, data={"csrf_token": "forged"})
        assert wrong.status_code == 400 and "verlopen" in wrong.get_data(as_text=True), (endpoint, url)
    assert client.get("/account").status_code == 200  # nothing above logged us out


def test_csrf_refusal_is_explained_in_plain_language(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)  # "Het formulier is verlopen"
