"""Absolute links come from BASE_URL, never from the Host header (app/urls.py, issue #12 point 11):
in every mail, in the covenant PDF and in the API; and production answers only for its own hosts."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from config import ProductionConfig
from tests.conftest import PASSWORD, make_app, make_issue, make_process, make_user

BASE = "https://doemee.example"
EVIL = {"Host": "evil.example"}
URL = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.fixture
def site(database_url, tmp_path, monkeypatch):
    """The testing app, with a BASE_URL that differs from the test client's host."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, BASE_URL=BASE)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _outbox(app):
    return app.extensions.setdefault("mail_outbox", [])


def _links(text: str) -> list[str]:
    return URL.findall(text)


def _assert_only_base_links(mails, every_mail_links: bool = True) -> None:
    assert mails
    for mail in mails:
        links = _links(mail.body)
        assert links or not every_mail_links, mail.subject
        assert "evil.example" not in mail.body, mail.body
        assert all(link.startswith(BASE + "/") for link in links), (mail.subject, links)


def _login(client, email, password=PASSWORD):
    assert client.post("/login", data={"email": email, "password": password}, headers=EVIL).status_code == 302


def _age(app, user_id, days=3):
    from app.accounts.models import User
    from app.models_common import utcnow

    with app.app_context():
        db.session.get(User, user_id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


# --- mails --------------------------------------------------------------------------------------------


def test_the_auto_hide_mail_links_to_base_url_whatever_host_the_reporter_sent(site):
    from app.processes.models import Process

    process = make_process(site, phase="issues")
    with site.app_context():
        db.session.get(Process, process.id).auto_hide_after = 1
        db.session.commit()
    author = make_user(site, name="Auteur")
    issue = make_issue(site, process.id, author.id, title="Hangplek bij het winkelcentrum")
    reporter = make_user(site, name="Melder")
    _age(site, reporter.id)  # reports of new accounts do not hide anything
    client = site.test_client()
    _login(client, reporter.email)
    response = client.post(f"/issues/{issue.id}/report", data={"reason": "Beledigend."}, headers=EVIL)
    assert response.status_code == 302
    [mail] = [m for m in _outbox(site) if m.to == author.email]
    assert f"{BASE}/issues/{issue.id}" in mail.body
    _assert_only_base_links([mail])


def test_the_password_reset_mail_links_to_base_url(site):
    user = make_user(site)
    site.test_client().post("/password/forgot", data={"email": user.email}, headers=EVIL)
    [mail] = _outbox(site)
    assert f"{BASE}/password/reset/" in mail.body
    _assert_only_base_links([mail])


def test_every_mail_built_in_a_request_for_another_host_links_to_base_url(site):
    """Each kind of mail, built inside a request that came in with a foreign Host header."""
    from app.accounts import mails
    from app.accounts.models import User
    from app.issues.models import Comment, Issue
    from app.moderation.models import Action
    from app.moderation.visibility import MESSAGES, tell_author

    process = make_process(site, phase="issues")
    person = make_user(site, name="Ontvanger")
    issue = make_issue(site, process.id, person.id)
    with site.app_context():
        comment = Comment(issue_id=issue.id, author_id=person.id, body="Een reactie.")
        db.session.add(comment)
        db.session.commit()
        comment_id = comment.id
    with site.test_request_context("/", base_url="http://evil.example"):
        user = db.session.get(User, person.id)
        mails.confirm_address(user, f"{BASE}/register/confirm/token")
        mails.still_waiting(user, f"{BASE}/register/confirm/token")
        mails.already_registered(user, "/processes")
        mails.login_link(user, f"{BASE}/login/link/token")
        mails.password_being_guessed(user)
        for action in MESSAGES:
            for target in (db.session.get(Issue, issue.id), db.session.get(Comment, comment_id)):
                tell_author(target, action, "Een reden.")
        tell_author(user, Action.WARN, "Een reden.")  # an account: no link, but nothing foreign either
        db.session.commit()
    sent = _outbox(site)
    assert len(sent) == 5 + 2 * len(MESSAGES) + 1
    assert len([m for m in sent if _links(m.body)]) == 5 + 2 * len(MESSAGES)  # all but the account's own
    _assert_only_base_links(sent, every_mail_links=False)


def test_covenant_mails_link_to_base_url_also_from_the_command_line(site):
    from app.accounts.models import User
    from app.covenants import services
    from tests.covenant_helpers import make_covenant, sign_all

    world = make_covenant(site)
    client = site.test_client()
    _login(client, world.drafter.email)
    assert client.post(f"/covenants/{world.covenant_id}/open", headers=EVIL).status_code == 302
    opened = list(_outbox(site))  # the covenant_opened notification, at once by default for covenants
    assert {m.to for m in opened} >= {s.email for s in world.signatories}
    _assert_only_base_links(opened)
    assert all(f"{BASE}/covenants/{world.covenant_id}" in m.body for m in opened)

    sign_all(site, world)
    _outbox(site).clear()
    signer = world.signatories[0]
    client = site.test_client()
    _login(client, signer.email)
    response = client.post(
        f"/covenants/{world.covenant_id}/end",
        data={"party": str(world.orgs[0].id), "reason": "Wij stoppen ermee, met een reden."},
        headers=EVIL,
    )
    assert response.status_code == 302
    _assert_only_base_links(list(_outbox(site)))

    _outbox(site).clear()
    other = make_covenant(site, title="Schone straten")
    with site.app_context():  # outside any request (a command or a job): the same links
        services.open_for_signature(db.session.get(User, other.drafter.id), services.get(other.covenant_id))
        db.session.commit()
    _assert_only_base_links(list(_outbox(site)))


# --- PDF and API --------------------------------------------------------------------------------------


def test_the_covenant_pdf_names_base_url(site):
    from pypdf import PdfReader

    from tests.covenant_helpers import make_covenant, open_covenant

    world = make_covenant(site)
    open_covenant(site, world)
    response = site.test_client().get(f"/covenants/{world.covenant_id}/versions/1.pdf", headers=EVIL)
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", "", text)  # the PDF breaks long addresses over lines
    assert (
        f"{BASE}/covenants/verify" in text and f"{BASE}/covenants/{world.covenant_id}/versions/1/canonical.txt" in text
    )
    assert "evil.example" not in text


def test_api_links_come_from_base_url(site):
    from tests.covenant_helpers import make_covenant, open_covenant

    world = make_covenant(site)
    open_covenant(site, world)
    client = site.test_client()
    slug = world.process.slug
    answers = [
        client.get(path, headers=EVIL).get_data(as_text=True)
        for path in (
            "/api/v1/processes",
            f"/api/v1/processes/{slug}/issues",
            f"/api/v1/issues/{world.issue.id}",
            "/api/v1/covenants",
            f"/api/v1/covenants/{world.covenant_id}",
            "/api/v1/council/positions",
        )
    ]
    links = [link for answer in answers for link in _links(answer)]
    assert f"{BASE}/issues/{world.issue.id}" in links and f"{BASE}/covenants/{world.covenant_id}" in links
    assert all(link.startswith(BASE + "/") for link in links), links


def test_absolute_url_outside_a_request_and_with_a_path_prefix(site):
    from app.urls import absolute_url

    with site.app_context():
        assert absolute_url("issues.show", issue_id=7, _anchor="comment-3") == f"{BASE}/issues/7#comment-3"
        site.config["BASE_URL"] = "https://gemeente.example/wijk/"
        assert absolute_url("covenants.verify") == "https://gemeente.example/wijk/covenants/verify"


# --- production trusts only its own hosts ------------------------------------------------------------


def _production(database_url, **extra):
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "k" * 40,
        "BASE_URL": BASE,
        "MAIL_BACKEND": "memory",
        "RATELIMIT_ENABLED": False,
    }
    settings.update(extra)
    return create_app(ProductionConfig, settings)


def test_production_refuses_a_foreign_host(database_url):
    client = _production(database_url).test_client()
    for path in ("/login", "/api/v1/processes", "/password/forgot", "/no-such-page"):
        response = client.get(path, headers=EVIL)
        assert response.status_code == 400, path
        assert "evil.example" not in response.get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": "iemand@example.org"}, headers=EVIL)
    assert response.status_code == 400
    assert client.get("/login", base_url=BASE).status_code == 200
    assert client.get("/login", base_url=BASE + ":8443").status_code == 200  # the port is the proxy's business


def test_production_trusts_the_extra_hosts_it_is_given(database_url):
    app = _production(database_url, TRUSTED_HOSTS=["localhost", "10.0.0.5"])
    assert app.config["TRUSTED_HOSTS"] == ["doemee.example", "localhost", "10.0.0.5"]
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # a health check by localhost
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    assert client.get("/healthz", headers=EVIL).status_code == 400


def test_development_and_testing_answer_any_host(app, client):
    assert app.config["TRUSTED_HOSTS"] is None
    assert client.get("/login", headers=EVIL).status_code == 200


def test_no_code_builds_links_from_the_request():
    """The class of fault: absolute links from the request (its Host header) instead of app/urls.py."""
    root = Path(__file__).resolve().parent.parent / "app"
    forbidden = re.compile(r"_external\s*=\s*True|host_url|url_root|request\.host\b")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in [*root.rglob("*.py"), *root.rglob("*.html"), *root.rglob("*.txt")]
        if path.name != "urls.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert found == []
