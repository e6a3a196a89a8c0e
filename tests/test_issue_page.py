"""The issue page: comments with one level of replies, stance and kind, reports, following, the Groene Loper."""

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.issues import services
from app.issues.models import Comment, Follow, Issue, Report
from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user
from tests.test_query_counts import counting


def comment(client, issue_id, body="Dit zie ik ook elke dag.", stance="for", kind="experience", parent_id=""):
    return client.post(
        f"/issues/{issue_id}/comments", data={"body": body, "stance": stance, "kind": kind, "parent_id": parent_id}
    )


def test_comments_with_stance_kind_and_one_level_of_replies(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("resident")
    assert comment(client, issue.id, kind="argument", stance="against").status_code == 302
    with app.app_context():
        first = db.session.scalar(sa.select(Comment))
    assert comment(client, issue.id, body="Eens met u.", parent_id=first.id).status_code == 302
    with app.app_context():
        reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == first.id))
    assert comment(client, issue.id, body="Antwoord op antwoord.", parent_id=reply.id).status_code == 302
    with app.app_context():
        last = db.session.scalar(sa.select(Comment).order_by(Comment.id.desc()))
        assert last.parent_id == first.id  # answers to answers join the thread: one level
        assert db.session.get(Issue, issue.id).comment_count == 3
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert page.count('class="comments comments--replies"') == 1
    assert "argument of bewijs" in page


def test_bad_comment_is_refused_next_to_the_field(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("resident")
    response = comment(client, issue.id, body="")
    assert response.status_code == 400 and b'id="body-error"' in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_comments_are_refused_for_visitors_pending_partners_and_closed_issues(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    closed = make_issue(app, process.id, make_user(app).id, title="Ingetrokken", status="withdrawn")
    assert comment(client, issue.id).status_code == 302  # to login
    auth.login_as("partner", org="Halte 2717", status="pending")
    assert comment(client, issue.id).status_code == 403
    auth.logout()
    auth.login_as("resident")
    assert comment(client, closed.id).status_code == 403
    early = make_process(app, phase="participants")
    early_issue = make_issue(app, early.id, make_user(app).id)
    assert comment(client, early_issue.id).status_code == 403


def test_reports_are_stored_once_per_person_and_never_shown(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    reporter = auth.login_as("resident", name="Melder Naam")
    assert client.post(f"/issues/{issue.id}/report", data={"reason": "Dit is reclame."}).status_code == 302
    again = client.post(f"/issues/{issue.id}/report", data={"reason": "Nog een keer."})
    assert again.status_code == 200 and b'id="reason-error"' in again.data
    comment(client, issue.id)
    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
    assert client.post(f"/comments/{comment_id}/report", data={"reason": "Beledigend."}).status_code == 302
    with app.app_context():
        reports = db.session.scalars(sa.select(Report)).all()
        assert {(r.target_type, r.reporter_id) for r in reports} == {("issue", reporter.id), ("comment", reporter.id)}
    assert "Melder Naam" not in app.test_client().get(f"/issues/{issue.id}").get_data(as_text=True)
    assert client.post(f"/issues/{issue.id}/report", data={"reason": "x"}).status_code == 200  # too short: message


def test_following(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    user = auth.login_as("resident")
    client.post(f"/issues/{issue.id}/follow", data={"action": "follow"})
    client.post(f"/issues/{issue.id}/follow", data={"action": "follow"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow).where(Follow.user_id == user.id)) == 1
    client.post(f"/issues/{issue.id}/follow", data={"action": "unfollow"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow).where(Follow.user_id == user.id)) == 0
    auth.logout()
    assert client.post(f"/issues/{issue.id}/follow").status_code == 302  # visitors go to login


def test_groene_loper_records_the_first_answer_to_a_resident(app, client, auth):
    process = make_process(app, phase="issues")
    resident = make_user(app)
    issue = make_issue(app, process.id, resident.id, created_at=utcnow() - timedelta(hours=30))
    waiting = make_issue(app, process.id, resident.id, title="Nog geen antwoord hierop")
    auth.login_as("resident")
    comment(client, issue.id)  # another resident: not an answer
    with app.app_context():
        assert db.session.get(Issue, issue.id).first_response_at is None
    auth.logout()
    auth.login_as("partner", org="Stichting Piëzo")
    comment(client, issue.id, body="Wij pakken dit op met de buurt.")
    with app.app_context():
        answered = db.session.get(Issue, issue.id)
        first = answered.first_response_at
        assert first is not None
        stats = services.response_stats(process.id)
        assert stats["answered"] == 1 and stats["waiting"] == 1 and 29 < stats["median_hours"] < 31
    comment(client, issue.id, body="Nog een reactie van ons.")
    with app.app_context():
        assert db.session.get(Issue, issue.id).first_response_at == first  # only the first counts
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "groene-loper" in page
    process_page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "groene-loper" in process_page
    assert waiting.id


def test_partner_issues_do_not_count_for_the_groene_loper(app):
    process = make_process(app, phase="issues")
    partner = make_user(app, role="partner", org="De Goede Woning")
    make_issue(app, process.id, partner.id)
    with app.app_context():
        assert services.response_stats(process.id) == {"answered": 0, "waiting": 0, "median_hours": None}


def test_issue_page_queries_do_not_grow_with_comments(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    from tests.conftest import PASSWORD

    auth.login_as("resident")
    comment(client, issue.id, body="Reactie van een bewoner")
    others = [make_user(app, role="partner", org=f"Org {i}") for i in range(4)]
    first = app.test_client()
    first.post("/login", data={"email": others[0].email, "password": PASSWORD})
    comment(first, issue.id, body="Reactie van een partner")  # every kind of author is in the baseline
    with counting(app) as few:
        client.get(f"/issues/{issue.id}")

    for i, person in enumerate(others * 4):
        browser = app.test_client()
        browser.post("/login", data={"email": person.email, "password": PASSWORD})
        comment(browser, issue.id, body=f"Nog een reactie {i}")
    with counting(app) as many:
        client.get(f"/issues/{issue.id}")
    assert len(many) == len(few), (len(few), len(many))


def test_reactions_are_limited_per_person_not_per_address(database_url):
    from tests.conftest import PASSWORD, make_app

    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_COMMENT="3 per minute")
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    first, second = make_user(app), make_user(app)
    one = app.test_client()
    one.post("/login", data={"email": first.email, "password": PASSWORD})
    statuses = [comment(one, issue.id, body=f"Reactie {i}").status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    other = app.test_client()  # same address (the community centre), another person
    other.post("/login", data={"email": second.email, "password": PASSWORD})
    assert comment(other, issue.id).status_code == 302


def test_report_and_answer_links_follow_the_policy(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("resident")
    comment(client, issue.id)
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "/comments/" in page and "/report" in page and "reply_to=" in page
    auth.logout()
    visitor = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "/report" not in visitor and "reply_to=" not in visitor
