"""Only reports of accounts older than a day count towards hiding something automatically.

Three accounts made for the purpose can no longer hide anyone's contribution at once; their reports
still reach the moderators' queue.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.issues.models import Issue
from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user


@pytest.fixture
def issue(app):
    process = make_process(app, phase="issues")  # hides after 3 reports by default
    author = make_user(app, name="Annemarie Auteur")
    return make_issue(app, process.id, author.id, title="Hangplek bij het winkelcentrum")


def report_as(app, issue_id, age: timedelta):
    user = make_user(app)
    with app.app_context():
        db.session.get(User, user.id).created_at = utcnow() - age
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    assert client.post(f"/issues/{issue_id}/report", data={"reason": "Dit is beledigend."}).status_code == 302


def visibility(app, issue_id):
    with app.app_context():
        return db.session.get(Issue, issue_id).visibility


def test_reports_of_new_accounts_do_not_hide_but_reach_the_queue(app, issue, auth):
    for _ in range(3):
        report_as(app, issue.id, timedelta(hours=23))
    assert visibility(app, issue.id) == "visible"
    auth.login_as("wijkregisseur")
    queue = auth._client.get("/moderation").get_data(as_text=True)
    assert "Hangplek bij het winkelcentrum" in queue and "Dit is beledigend." in queue


def test_reports_of_accounts_older_than_a_day_hide_as_before(app, issue):
    for _ in range(2):
        report_as(app, issue.id, timedelta(hours=25))
    report_as(app, issue.id, timedelta(minutes=5))  # a new account's report does not tip it
    assert visibility(app, issue.id) == "visible"
    report_as(app, issue.id, timedelta(days=30))
    assert visibility(app, issue.id) == "auto_hidden"
    with app.app_context():
        from app.moderation.models import ModerationAction

        action = db.session.scalar(sa.select(ModerationAction))
        assert action.details == {"reports": 3}


def test_the_age_is_counted_at_the_moment_of_the_report(app, issue):
    """An account that was new when it reported does not start to count a day later."""
    report_as(app, issue.id, timedelta(days=3))
    for _ in range(2):
        report_as(app, issue.id, timedelta(hours=1))
    with app.app_context():  # a day passes: every account is older now, but two reports were made early
        from app.issues.models import Report

        for row in [*db.session.scalars(sa.select(User)), *db.session.scalars(sa.select(Report))]:
            row.created_at -= timedelta(days=1)
        db.session.commit()
    report_as(app, issue.id, timedelta(days=30))
    assert visibility(app, issue.id) == "visible"  # 2 that count, not 4
