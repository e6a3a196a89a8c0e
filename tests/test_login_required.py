"""Every page that needs an account sends an anonymous visitor to the login page (and back)."""

from urllib.parse import quote

from tests.conftest import make_process
from tests.routes import example_urls

PUBLIC = {
    "pages.home",
    "pages.privacy",
    "pages.accessibility",
    "pages.healthz",
    "pages.favicon",
    "processes.index",
    "processes.show",
    "issues.index",
    "issues.similar",
    "issues.show",
    "threads.show",
    "attachments.file",
    "attachments.thumbnail",  # the photos and PDFs of a public issue
    "unsubscribe.page",  # the link in a mail works signed out (a signed token, RFC 8058)
    "priorities.show",
    "agendas.show",
    "agendas.history",
    "agendas.compare",
    "working.group",
    "working.process_links",
    "council.index",
    "moderation.log",
    "balance.show",
    "balance.help_page",
    "council.show",
    "api.processes",
    "api.process_issues",
    "api.issue",
    "api.council_positions",
    "api.covenants",
    "api.openapi",
    "api.covenant",
    "covenants.index",
    "covenants.show",
    "covenants.version",
    "covenants.pdf",
    "covenants.verify",
    "covenants.canonical",
    "covenant_drafting.history",
    "covenant_drafting.revision",
    "accounts.login",
    "accounts.register",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.confirm_email",
    "accounts.resend_confirmation",
    "accounts.request_login_link",
    "accounts.login_with_link",
}


def test_pages_needing_an_account_redirect_to_login(app, client):
    process = make_process(app, slug="buytenwegh")
    checked = 0
    for endpoint, url in example_urls(app, "GET", {"slug": process.slug}):
        if endpoint in PUBLIC:
            continue
        response = client.get(url)
        assert response.status_code == 302, (endpoint, url, response.status_code)
        assert response.headers["Location"] == f"/login?next={quote(url, safe='')}", (endpoint, response.headers)
        checked += 1
    assert checked >= 8


def test_public_pages_are_open(app, client):
    process = make_process(app, slug="buytenwegh")
    for url in (
        "/",
        "/privacy",
        "/accessibility",
        "/processes",
        f"/processes/{process.slug}",
        "/login",
        "/register",
        "/password/forgot",
        "/healthz",
    ):
        assert client.get(url).status_code == 200, url


def test_post_routes_needing_an_account_redirect_anonymous_visitors(app, client):
    process = make_process(app, slug="buytenwegh")
    for endpoint, url in example_urls(app, "POST", {"slug": process.slug}):
        if endpoint in PUBLIC | {"pages.set_language", "accounts.logout"}:
            continue
        response = client.post(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), endpoint
