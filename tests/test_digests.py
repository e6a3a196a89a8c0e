"""Daily and weekly digests: one mail per person, grouped and newest first, in the reader's language,
checked again when sent, never twice for the same notifications, at a cost that does not grow with its size."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Membership, User
from app.extensions import db
from app.issues.models import Comment, Issue
from app.jobs import schedule
from app.jobs.models import ScheduledRun
from app.mail.models import OutboxMail
from app.models_common import utcnow
from app.notifications.kinds import KINDS
from app.notifications.models import Event, Notification, NotificationPreference
from tests.conftest import make_issue, make_process, make_user
from tests.test_query_counts import counting


# The digests' module is imported when used: its imports need every model mapped (create_app does that).
def run_daily_digest(now=None):
    from app.notifications.digests import run_daily_digest as run

    return run(now)


def run_weekly_digest(now=None):
    from app.notifications.digests import run_weekly_digest as run

    return run(now)


def compose_digest(row):
    from app.notifications.digests import compose_digest as compose

    return compose(row)


def comment_on(app, issue_id, author_id, at=None, visibility="visible"):
    with app.app_context():
        comment = Comment(
            issue_id=issue_id, author_id=author_id, body="Goed idee.", visibility=visibility, created_at=at or utcnow()
        )
        db.session.add(comment)
        db.session.commit()
        return comment.id


def notify(app, user_id, kind, issue_id=None, comment_id=None, at=None, actor_id=None, process_id=None, **refs):
    """An event and one person's notification of it, as app/notifications/audience.py would leave them."""
    data = refs.pop("data", {})
    with app.app_context():
        if issue_id is not None:
            process_id = db.session.get(Issue, issue_id).process_id
        event = Event(
            kind=kind,
            actor_id=actor_id,
            process_id=process_id,
            issue_id=issue_id,
            comment_id=comment_id,
            created_at=at or utcnow(),
            data=data,
            **refs,
        )
        db.session.add(event)
        db.session.flush()
        note = Notification(user_id=user_id, event_id=event.id, topic=KINDS[kind].topic, created_at=event.created_at)
        db.session.add(note)
        db.session.commit()
        return note.id


def choose(app, user_id, topic, delivery):
    with app.app_context():
        db.session.merge(NotificationPreference(user_id=user_id, topic=topic, delivery=delivery))
        db.session.commit()


def set_language(app, user_id, language):
    with app.app_context():
        db.session.get(User, user_id).language = language
        db.session.commit()


@pytest.fixture
def mail_server_down(app):
    """SMTP to a port where nothing listens: each send fails and the row waits in the outbox for a retry."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)


def pending_digest(user_id=None):
    stmt = sa.select(OutboxMail).where(OutboxMail.kind == "digest", OutboxMail.status == "pending")
    if user_id is not None:
        stmt = stmt.where(OutboxMail.user_id == user_id)
    return db.session.scalar(stmt)


def digests(outbox, to=None):
    return [m for m in outbox if m.kind == "digest" and (to is None or m.to == to)]


@pytest.fixture
def world(app):
    buytenwegh = make_process(app, slug="buytenwegh", name="Wijk van de toekomst Buytenwegh")
    seghwaert = make_process(app, slug="seghwaert", name="Wijk van de toekomst Seghwaert")
    reader = make_user(app, "resident", name="Fatima")
    other = make_user(app, "resident")
    issues = {
        "bench": make_issue(app, buytenwegh.id, reader.id, title="Bankje bij de vijver").id,
        "tiles": make_issue(app, buytenwegh.id, reader.id, title="Losse stoeptegels").id,
        "playground": make_issue(app, seghwaert.id, reader.id, title="Speeltuin opknappen").id,
    }
    return reader, other, issues


def test_a_digest_groups_by_process_then_issue_newest_first(app, world, outbox):
    reader, other, issues = world
    start = utcnow() - timedelta(hours=20)

    def reaction(issue, hours):
        at = start + timedelta(hours=hours)
        comment = comment_on(app, issues[issue], other.id, at)
        notify(app, reader.id, "issue_reaction", issues[issue], comment, at)
        return comment

    oldest = reaction("bench", 1)
    reaction("tiles", 2)
    newest = reaction("bench", 3)
    reaction("playground", 4)  # the newest of all: its process comes first
    with app.app_context():
        assert run_daily_digest() == {"people": 1, "notifications": 4}
    [mail] = digests(outbox)
    assert mail.to == reader.email
    assert mail.subject == "Uw dagoverzicht: 4 nieuwe berichten"
    body = mail.body
    assert body.startswith("Beste Fatima,")
    order = [
        body.index("Wijk van de toekomst Seghwaert"),
        body.index("Onderwerp ‘Speeltuin opknappen’"),
        body.index("Wijk van de toekomst Buytenwegh"),
        body.index("Onderwerp ‘Bankje bij de vijver’"),  # newest event at 3 hours
        body.index("Onderwerp ‘Losse stoeptegels’"),
    ]
    assert order == sorted(order)
    bench = body[body.index("Onderwerp ‘Bankje bij de vijver’") : body.index("Onderwerp ‘Losse stoeptegels’")]
    lines = [line for line in bench.splitlines() if line.startswith("- ")]
    assert len(lines) == 2 and all("Nieuwe reactie op uw onderwerp" in line for line in lines)
    links = [line.strip() for line in bench.splitlines() if line.startswith("  http")]
    assert links == [  # a link under every line, the newest first
        f"http://localhost/comments/{newest}/replies#comment-{newest}",
        f"http://localhost/comments/{oldest}/replies#comment-{oldest}",
    ]
    assert "http://localhost/" in body  # absolute, from BASE_URL
    # one way out, for the whole digest (in the footer and the header); a topic alone is for the preferences page
    assert "Geen mail meer over" not in body and body.count("/unsubscribe/") == 1
    stop = mail.list_unsubscribe.strip("<>")
    assert f"Stop dit dagelijkse overzicht (alle soorten berichten hierboven): {stop}\n" in body
    assert "Kies welke e-mails u krijgt: http://localhost/notifications/preferences" in body
    assert "U krijgt deze e-mail bij" not in body  # the digest says itself what it holds


def test_an_english_reader_gets_english(app, world, outbox):
    reader, other, issues = world
    set_language(app, reader.id, "en")
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        run_daily_digest()
    [mail] = digests(outbox)
    assert mail.subject == "Your daily overview: 1 new message"
    assert mail.body.startswith("Hello ") and "Issue “Bankje bij de vijver”" in mail.body
    assert "Onderwerp" not in mail.body and "Beste" not in mail.body


def test_what_was_hidden_after_the_event_is_left_out_when_sent(app, world, outbox):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    hidden_comment = comment_on(app, issues["tiles"], other.id)
    notify(app, reader.id, "issue_reaction", issues["tiles"], hidden_comment)
    notify(app, reader.id, "issue_reaction", issues["playground"], comment_on(app, issues["playground"], other.id))
    with app.app_context():
        db.session.get(Comment, hidden_comment).visibility = "hidden"  # the reaction, after the event
        db.session.get(Issue, issues["playground"]).visibility = "hidden"  # a whole issue
        db.session.commit()
        run_daily_digest()
    [mail] = digests(outbox)
    assert "Bankje bij de vijver" in mail.body
    assert "Losse stoeptegels" not in mail.body and "Speeltuin" not in mail.body
    assert "1 nieuw bericht" in mail.subject
    with app.app_context():  # all three count as dealt with: no later digest brings them back
        assert db.session.scalar(sa.select(sa.func.count()).where(Notification.mailed_at.is_(None))) == 0


def test_a_digest_with_only_hidden_things_is_not_sent(app, world, outbox):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        db.session.get(Issue, issues["bench"]).visibility = "hidden"
        db.session.commit()
        run_daily_digest()
        assert db.session.scalar(sa.select(OutboxMail.status).where(OutboxMail.kind == "digest")) == "cancelled"
    assert digests(outbox) == []


def test_a_topic_switched_off_before_sending_is_left_out(app, world, mail_server_down):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        run_daily_digest()  # queued; the first attempt failed
        choose(app, reader.id, "reactions", "none")
        assert compose_digest(pending_digest()) is None  # the retry: nothing left to tell


def test_weekly_readers_are_left_for_the_weekly_digest(app, world, outbox):
    reader, other, issues = world
    choose(app, reader.id, "reactions", "weekly")
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        assert run_daily_digest()["people"] == 0
        assert run_weekly_digest()["people"] == 1
    [mail] = digests(outbox)
    assert mail.subject == "Uw weekoverzicht: 1 nieuw bericht"
    assert "elke week" in mail.body


def test_instant_and_none_topics_are_not_in_a_digest(app, world, outbox):
    reader, other, issues = world
    choose(app, reader.id, "reactions", "none")
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        assert run_daily_digest()["people"] == 0
    assert digests(outbox) == []


def test_never_twice_for_the_same_notifications(app, world, outbox):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        run_daily_digest()
        assert run_daily_digest() == {"people": 0, "notifications": 0}
    assert len(digests(outbox)) == 1
    notify(app, reader.id, "issue_reaction", issues["tiles"], comment_on(app, issues["tiles"], other.id))
    with app.app_context():
        run_daily_digest()
    first, second = digests(outbox)
    assert "Bankje" in first.body and "Bankje" not in second.body and "stoeptegels" in second.body


def test_a_digest_still_waiting_in_the_outbox_is_not_queued_again(app, world, mail_server_down):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        assert run_daily_digest()["people"] == 1
        assert pending_digest() is not None  # the mail server is away: it waits for a retry
        assert run_daily_digest()["people"] == 0  # the next day: still on its way, so not again
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 1


def test_a_retry_tells_the_same(app, world, mail_server_down):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    with app.app_context():
        run_daily_digest()
        row = pending_digest()
        first = compose_digest(row)
        db.session.commit()
        assert first is not None and "Bankje bij de vijver" in first[1]
        assert compose_digest(row) == first


def test_the_daily_run_is_claimed_once_per_day(app, world, outbox):
    reader, other, issues = world
    notify(app, reader.id, "issue_reaction", issues["bench"], comment_on(app, issues["bench"], other.id))
    morning = datetime.now(UTC).replace(hour=12, minute=0)  # after 07:00 in Amsterdam, whatever the season
    with app.app_context():
        first = schedule.run_due(morning)
        assert "people: 1" in first["digest_daily"]
        notify(app, reader.id, "issue_reaction", issues["tiles"], comment_on(app, issues["tiles"], other.id))
        assert "digest_daily" not in schedule.run_due(morning + timedelta(minutes=5))  # claimed: not again today
        runs = db.session.scalars(sa.select(ScheduledRun).where(ScheduledRun.kind == "digest_daily")).all()
        assert len(runs) == 1 and runs[0].finished_at is not None
    assert len(digests(outbox)) == 1


def _reactions(app, reader, other, issue_ids, n):
    for i in range(n):
        issue_id = issue_ids[i % len(issue_ids)]
        notify(app, reader.id, "issue_reaction", issue_id, comment_on(app, issue_id, other.id), actor_id=other.id)


def _compose_cost(app, reader) -> tuple[int, str]:
    with app.app_context():
        run_daily_digest()
    with app.app_context(), counting(app) as statements:
        subject, _body = compose_digest(pending_digest(reader.id))
        db.session.commit()
    return len(statements), subject


def test_composing_costs_the_same_queries_for_5_or_200_events(app, world, mail_server_down):
    reader, other, issues = world
    few_reader = make_user(app, "resident")
    many_reader = make_user(app, "resident")
    ids = list(issues.values())
    _reactions(app, few_reader, other, ids, 5)
    few, subject = _compose_cost(app, few_reader)
    assert " 5 " in subject
    extra = [make_issue(app, make_process(app).id, reader.id, title=f"Onderwerp {i}").id for i in range(10)]
    _reactions(app, many_reader, other, ids + extra, 200)
    many, subject = _compose_cost(app, many_reader)
    assert " 200 " in subject
    assert many == few, (few, many)


def test_the_daily_run_costs_the_same_queries_for_more_people(app, world, monkeypatch):
    from app.notifications.digests import queue_digests
    from app.notifications.models import Delivery

    _reader, other, issues = world
    ids = list(issues.values())
    # count the run, not the sending
    monkeypatch.setattr("app.notifications.digests.deliver_after_commit", lambda: None)

    def cost(people):
        for person in people:
            _reactions(app, person, other, ids, 3)
        with app.app_context(), counting(app) as statements:
            assert queue_digests(Delivery.DAILY, batch=100)["people"] == len(people)
        return statements

    few = cost([make_user(app, "resident") for _ in range(2)])
    many = cost([make_user(app, "resident") for _ in range(25)])
    assert len(many) == len(few), "\n".join(s[:90] for s in many)


def test_every_kind_of_line_costs_the_same_queries_for_5_or_200_events(app, world, mail_server_down):
    from app.covenants.models import Covenant

    reader, other, issues = world
    process_id = make_process(app, name="Wijk van de toekomst Meerzicht").id
    partner = make_user(app, "partner", org="Stichting Piëzo")
    with app.app_context():
        covenant = Covenant(process_id=process_id, title="Veilig fietspad", status="open", current_version=1)
        db.session.add(covenant)
        db.session.commit()
        covenant_id = covenant.id
        membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == partner.id))
    for person in (reader, partner):
        for topic in ("issue_status", "covenants", "memberships"):
            choose(app, person.id, topic, "daily")

    def mixed(person, n):
        for i in range(n):
            issue_id = list(issues.values())[i % 3]
            which = i % 5
            if which == 0:
                notify(
                    app, person.id, "issue_reaction", issue_id, comment_on(app, issue_id, other.id), actor_id=other.id
                )
            elif which == 1:
                merged_into = issues["tiles"] if issue_id != issues["tiles"] else issues["bench"]
                notify(app, person.id, "issue_merged", issue_id, data={"target_id": merged_into})
            elif which == 2:
                notify(app, person.id, "consent_opened", issue_id, data={"horizon": 5})
            elif which == 3:
                notify(app, person.id, "covenant_opened", process_id=process_id, covenant_id=covenant_id)
            else:
                notify(app, person.id, "membership_approved", membership_id=membership_id)

    with app.app_context():
        db.session.execute(sa.delete(Notification))  # only what this test makes
        db.session.commit()
    mixed(partner, 5)
    few, _subject = _compose_cost(app, partner)
    mixed(reader, 200)
    many, subject = _compose_cost(app, reader)
    assert " 200 " in subject
    assert many == few, (few, many)
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == reader.id))
        _subject, body = compose_digest(row)
    for heading in (
        "Convenant ‘Veilig fietspad’",
        "Werkgroep van ‘Bankje bij de vijver’",
        "Onderwerp ‘Losse stoeptegels’",
        "Uw lidmaatschap",
        "Wijk van de toekomst Meerzicht",
    ):
        assert heading in body, heading
