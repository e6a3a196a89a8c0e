"""The Groene Loper reminder: the residents waiting longer than the target, oldest first, every working morning."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.issues.models import Issue
from tests.conftest import make_issue, make_process, make_user

MONDAY = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)


def run_reminders(now=MONDAY):
    from app.notifications.summary import run_waiting_reminders

    return run_waiting_reminders(now)


def reminders(outbox, to=None):
    return [m for m in outbox if m.kind == "reminder" and (to is None or m.to == to)]


def at(day, month=3):
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(app):
    return {
        "director": make_user(app, "wijkregisseur", name="Mirjam"),
        "admin": make_user(app, "admin"),
        "facilitator": make_user(app, "facilitator"),
        "resident": make_user(app, "resident"),
    }


def issue(app, process, author, title, created, **changes):
    made = make_issue(app, process.id, author.id, title=title, created_at=created)
    if changes:
        with app.app_context():
            row = db.session.get(Issue, made.id)
            for key, value in changes.items():
                setattr(row, key, value)
            db.session.commit()
    return made.id


def test_the_reminder_lists_who_waits_oldest_first(app, people, outbox):
    process = make_process(app, name="Wijk van de toekomst Buytenwegh")
    resident = people["resident"]
    newer = issue(app, process, resident, "Losse stoeptegels", at(4))  # 13 working days by Monday the 23rd
    older = issue(app, process, resident, "Bankje bij de vijver", at(2))  # 15
    issue(app, process, resident, "Al beantwoord", at(1), first_response_at=at(5))
    issue(app, process, resident, "Verborgen klacht", at(1), visibility="hidden")
    issue(app, process, resident, "Nog binnen de tijd", at(16))  # 5
    with app.app_context():
        assert run_reminders() == {"people": 2, "waiting": 2}
    [mail] = reminders(outbox, people["director"].email)
    # it counts issues (one resident may send in several), and says how long "too long" is
    assert mail.subject == "2 onderwerpen van bewoners wachten langer dan 10 werkdagen op antwoord"
    body = mail.body
    assert "langer dan 10 werkdagen" in body
    first = (
        f"- ‘Bankje bij de vijver’ (Wijk van de toekomst Buytenwegh): 15 werkdagen\n  http://localhost/issues/{older}"
    )
    second = f"- ‘Losse stoeptegels’ (Wijk van de toekomst Buytenwegh): 13 werkdagen\n  http://localhost/issues/{newer}"
    assert first in body and second in body and body.index(first) < body.index(second)
    assert "Al beantwoord" not in body and "Verborgen" not in body and "binnen de tijd" not in body
    assert mail.list_unsubscribe.startswith("<http://localhost/unsubscribe/")
    # for the neighbourhood director and the administrator only
    assert len(reminders(outbox, people["admin"].email)) == 1
    assert reminders(outbox, people["facilitator"].email) == [] and reminders(outbox, people["resident"].email) == []


def test_a_long_list_is_cut_with_a_link_to_the_whole_list(app, people, outbox, monkeypatch):
    monkeypatch.setattr("app.notifications.summary.REMINDER_LIMIT", 2)
    process = make_process(app)
    for day in (2, 3, 4, 5):
        issue(app, process, people["resident"], f"Onderwerp {day}", at(day))
    with app.app_context():
        run_reminders()
    [mail] = reminders(outbox, people["director"].email)
    assert "Onderwerp 2" in mail.body and "Onderwerp 3" in mail.body and "Onderwerp 5" not in mail.body
    assert "En nog 2: http://localhost/dashboard/waiting\n" in mail.body  # the whole list, not the overview


def test_nothing_when_nobody_waits_or_on_a_day_off(app, people, outbox):
    process = make_process(app)
    issue(app, process, people["resident"], "Recent", at(20))
    with app.app_context():
        assert run_reminders()["people"] == 0
    issue(app, process, people["resident"], "Oud", at(2))
    with app.app_context():
        assert run_reminders(datetime(2026, 3, 28, 8, 0, tzinfo=UTC))["people"] == 0  # a Saturday
        assert run_reminders(datetime(2026, 4, 6, 8, 0, tzinfo=UTC))["people"] == 0  # Easter Monday
    assert reminders(outbox) == []


def test_an_english_reader_gets_english(app, people, outbox):
    from app.accounts.models import User

    with app.app_context():
        db.session.get(User, people["admin"].id).language = "en"
        db.session.commit()
    process = make_process(app, name="Buytenwegh")
    issue(app, process, people["resident"], "Bankje", at(2))
    with app.app_context():
        run_reminders()
    [mail] = reminders(outbox, people["admin"].email)
    assert mail.subject == "1 issue by a resident waits longer than 10 working days for an answer"
    assert "“Bankje” (Buytenwegh): 15 working days" in mail.body
