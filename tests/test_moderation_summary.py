"""The moderators' morning summary: what waits, with links, only what each may act on, nothing when nothing waits."""

import pytest

from app.extensions import db
from app.issues.models import Comment, Report
from app.notifications.models import NotificationPreference
from tests.conftest import make_issue, make_process, make_user


def run_summary():
    from app.notifications.summary import run_moderation_summary

    return run_moderation_summary()


def summaries(outbox, to=None):
    return [m for m in outbox if m.kind == "summary" and (to is None or m.to == to)]


@pytest.fixture
def people(app):
    director = make_user(app, "wijkregisseur", name="Mirjam")
    admin = make_user(app, "admin", name="Ahmed")
    facilitator = make_user(app, "facilitator")
    resident = make_user(app, "resident")
    with app.app_context():
        from app.accounts.models import User

        db.session.get(User, admin.id).language = "en"
        db.session.commit()
    return director, admin, facilitator, resident


def add_work(app, resident):
    """One reported issue (two reports), one reaction waiting for a check, one membership waiting."""
    process = make_process(app)
    issue = make_issue(app, process.id, resident.id, title="Geheim onderwerp dat niemand mag zien")
    reporters = [make_user(app, "resident") for _ in range(2)]
    with app.app_context():
        for reporter in reporters:
            db.session.add(Report(target_type="issue", target_id=issue.id, reporter_id=reporter.id, reason="Spam"))
        db.session.add(
            Comment(issue_id=issue.id, author_id=resident.id, body="Nog niet gecontroleerd", visibility="pending")
        )
        db.session.commit()
    make_user(app, "partner", org="Halte 2717", status="pending")


def test_nothing_is_sent_when_nothing_waits(app, people, outbox):
    with app.app_context():
        result = run_summary()
    assert result["people"] == 0 and summaries(outbox) == []


def test_the_summary_counts_what_waits_with_links(app, people, outbox):
    director, admin, facilitator, resident = people
    add_work(app, resident)
    with app.app_context():
        assert run_summary()["people"] == 2
    [mail] = summaries(outbox, director.email)
    # the subject names what waits, in the words of the work overview
    assert mail.subject == "1 gemelde bijdrage, 1 bijdrage van een nieuw account en 1 lidmaatschap wachten op u"
    body = mail.body
    assert body.startswith("Beste Mirjam,")
    # two reports, one contribution; each line links to its part of the moderation page, as the overview does
    assert "- 1 gemelde bijdrage\n  http://localhost/moderation#reported-title\n" in body
    assert "- 1 bijdrage van een nieuw account om te controleren\n  http://localhost/moderation#pending-title\n" in body
    assert (
        "- 1 verzoek om een organisatie te vertegenwoordigen\n  http://localhost/admin/memberships?status=pending\n"
        in body
    )
    assert "meldingen" not in body and "aanvraag" not in body  # "melding" means a notification to residents
    assert "wijziging" not in body  # a count of zero is left out
    assert "http://localhost/dashboard" in body
    assert "Geheim onderwerp" not in body  # counts and links, never content
    assert mail.list_unsubscribe.startswith("<http://localhost/unsubscribe/")
    # the administrator reads English; the facilitator and residents may act on none of it and get nothing
    [english] = summaries(outbox, admin.email)
    assert english.subject == "1 reported contribution, 1 contribution of a new account, and 1 membership wait for you"
    assert "- 1 reported contribution\n" in english.body
    assert summaries(outbox, facilitator.email) == [] and summaries(outbox, resident.email) == []


def test_whoever_switched_it_off_gets_none(app, people, outbox):
    director, admin, _facilitator, resident = people
    add_work(app, resident)
    with app.app_context():
        db.session.add(NotificationPreference(user_id=director.id, topic="moderation_summary", delivery="none"))
        db.session.commit()
        run_summary()
    assert summaries(outbox, director.email) == [] and len(summaries(outbox, admin.email)) == 1


def test_the_summary_runs_once_a_day_through_the_schedule(app, people, outbox):
    from datetime import UTC, datetime

    from app.jobs import schedule

    _director, _admin, _facilitator, resident = people
    add_work(app, resident)
    noon = datetime.now(UTC).replace(hour=12, minute=0)  # after 08:00 in Amsterdam
    with app.app_context():
        assert "people: 2" in schedule.run_due(noon)["moderation_summary"]
        assert "moderation_summary" not in schedule.run_due(noon)
    assert len(summaries(outbox)) == 2
