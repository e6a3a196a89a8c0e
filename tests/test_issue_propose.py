"""Proposing an issue in phase 2: classification, similar issues first, corrections with history."""

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Issue, IssueRevision
from app.models_common import utcnow
from tests.conftest import make_issue, make_organisation, make_process, make_user


def form(**overrides):
    data = {
        "title": "Speeltuin aan de Cesar Franckrode opknappen",
        "description": "De speeltoestellen zijn kapot en er ligt veel zwerfvuil. Kinderen spelen nu op straat.",
        "domains": ["physical", "social"],
        "breadth": "broad",
        "scale": "small",
        "term": "short",
        "place": "Cesar Franckrode",
        "involve_others": "De kinderen uit de buurt",
        "step": "publish",
    }
    data.update(overrides)
    return data


def count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Issue))


def test_resident_proposes_an_issue_with_its_classification(app, client, auth):
    process = make_process(app, phase="issues")
    org = make_organisation(app, "Wijkvereniging Buytenrode", kind="residents")
    auth.login_as("resident")
    response = client.post(f"/processes/{process.slug}/issues/new", data=form(organisations=[str(org.id)]))
    assert response.status_code == 302
    with app.app_context():
        issue = db.session.scalar(sa.select(Issue))
        assert (issue.scale, issue.term, issue.breadth, issue.place) == ("small", "short", "broad", "Cesar Franckrode")
        assert {d.value for d in issue.domains} == {"physical", "social"}
        assert [row.organisation_id for row in issue.involved_rows] == [org.id]
        assert issue.status == "open" and issue.author_was_resident
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Speeltuin aan de Cesar Franckrode" in page and "Wijkvereniging Buytenrode" in page


def test_similar_issues_are_shown_before_publishing(app, client, auth):
    process = make_process(app, phase="issues")
    author = make_user(app)
    make_issue(app, process.id, author.id, title="Speeltuin Cesar Franckrode is kapot")
    auth.login_as("resident")
    first = client.post(f"/processes/{process.slug}/issues/new", data=form(step="check"))
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Speeltuin Cesar Franckrode is kapot" in html and "data-similar-step" in html
    assert 'name="step" type="hidden" value="publish"' in html  # the next press publishes
    assert count(app) == 1
    second = client.post(f"/processes/{process.slug}/issues/new", data=form(step="publish"))
    assert second.status_code == 302 and count(app) == 2


def test_without_similar_issues_it_publishes_at_once(app, client, auth):
    process = make_process(app, phase="issues")
    auth.login_as("resident")
    response = client.post(f"/processes/{process.slug}/issues/new", data=form(step="check"))
    assert response.status_code == 302 and count(app) == 1


def test_similar_endpoint_for_typing(app, client):
    process = make_process(app, phase="issues")
    author = make_user(app)
    make_issue(app, process.id, author.id, title="Zwerfvuil rond het winkelcentrum")
    data = client.get(f"/processes/{process.slug}/issues/similar?q=zwerfvuil winkelcentrum").get_json()
    assert [item["title"] for item in data["items"]] == ["Zwerfvuil rond het winkelcentrum"]
    assert client.get(f"/processes/{process.slug}/issues/similar?q=fietsenstalling").get_json()["items"] == []


def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(app, client, auth):
    process = make_process(app, phase="issues")
    auth.login_as("resident")
    cases = {
        "title": form(title="Kort"),
        "description": form(description="te kort"),
        "domains": form(domains=[]),
    }
    for field_name, data in cases.items():
        response = client.post(f"/processes/{process.slug}/issues/new", data=data)
        assert response.status_code == 200
        assert f'id="{field_name}-error"'.encode() in response.data, field_name
    single = client.post(f"/processes/{process.slug}/issues/new", data=form(breadth="single"))
    assert b'id="domains-error"' in single.data  # one subject, two domains
    assert count(app) == 0


def test_proposing_is_refused_outside_phase_2_with_the_reason(app, client, auth):
    process = make_process(app, phase="participants")
    auth.login_as("resident")
    response = client.post(f"/processes/{process.slug}/issues/new", data=form())
    assert response.status_code == 403
    assert "Fase 2" in response.get_data(as_text=True)
    assert count(app) == 0


def test_roles_that_may_not_propose(app, client, auth):
    process = make_process(app, phase="issues")
    for role, kwargs in (("wijkregisseur", {}), ("council", {}), ("partner", {"org": "X", "status": "pending"})):
        auth.login_as(role, **kwargs)
        assert client.post(f"/processes/{process.slug}/issues/new", data=form()).status_code == 403, role
        auth.logout()
    assert client.post(f"/processes/{process.slug}/issues/new", data=form()).status_code == 302  # to login
    assert count(app) == 0


def test_approved_partner_may_propose(app, client, auth):
    process = make_process(app, phase="issues")
    auth.login_as("partner", org="Stichting Piëzo")
    assert client.post(f"/processes/{process.slug}/issues/new", data=form()).status_code == 302


def test_author_corrects_the_issue_and_the_old_text_is_kept(app, client, auth):
    process = make_process(app, phase="issues")
    user = auth.login_as("resident")
    issue = make_issue(app, process.id, user.id, title="Speeltuin opknapen")
    response = client.post(f"/issues/{issue.id}/edit", data=form(title="Speeltuin opknappen"))
    assert response.status_code == 302
    with app.app_context():
        revision = db.session.scalar(sa.select(IssueRevision))
        assert revision.title == "Speeltuin opknapen"
        assert db.session.get(Issue, issue.id).title == "Speeltuin opknappen"
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Speeltuin opknapen" in page  # the earlier text stays visible


def test_correcting_is_refused_after_the_window_and_for_others(app, client, auth):
    process = make_process(app, phase="issues")
    author = make_user(app)
    old = make_issue(app, process.id, author.id, created_at=utcnow() - timedelta(hours=2))
    recent = make_issue(app, process.id, author.id, title="Nieuw onderwerp hier")
    auth.login(author.email)
    assert client.post(f"/issues/{old.id}/edit", data=form()).status_code == 403
    auth.logout()
    auth.login_as("resident")
    assert client.post(f"/issues/{recent.id}/edit", data=form()).status_code == 403
