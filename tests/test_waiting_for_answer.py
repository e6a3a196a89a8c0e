"""Residents waiting longer than the Groene Loper's working days for a first answer (app/issues/waiting.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.issues.models import Issue
from app.issues.waiting import count_waiting, overdue_before, waiting_for_answer
from tests.conftest import make_issue, make_process, make_user

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # a Friday


def at(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(app):
    process = make_process(app, slug="buytenwegh")
    other = make_process(app, slug="seghwaert")
    resident = make_user(app, "resident")
    partner = make_user(app, "partner", org="Stichting Piëzo")

    def issue(title, created, process_id=process.id, author=resident, **changes):
        made = make_issue(app, process_id, author.id, title=title, created_at=created)
        if changes:
            with app.app_context():
                row = db.session.get(Issue, made.id)
                for key, value in changes.items():
                    setattr(row, key, value)
                db.session.commit()
        return made.id

    ids = {
        "a": issue("Bankje bij de vijver", at(2)),  # Monday 2 March: 14 working days by Friday the 20th
        "b": issue("Losse stoeptegels", at(4)),  # 12
        "c": issue("Zwerfvuil bij de school", at(6)),  # 10: answered in time today still
        "d": issue("Fietsenrek", at(5)),  # 11
        "e": issue("Speeltuin", at(27, 2), process_id=other.id),  # Friday 27 February: 15
        "answered": issue("Beantwoord", at(1), first_response_at=at(10)),
        "hidden": issue("Verborgen", at(20, 2), visibility="hidden"),
        "pending": issue("Nog niet gecontroleerd", at(20, 2), visibility="pending"),
        "declined": issue("Niet gekozen", at(20, 2), status="declined"),
        "shortlisted": issue("Gekozen", at(3), status="shortlisted"),  # 13: chosen but still no answer
        "partner": issue("Van een partner", at(20, 2), author=partner),
    }
    return process, other, ids


def _listed(rows):
    return [(issue.id, days) for issue, days in rows]


def test_oldest_first_with_working_days_and_only_what_waits(app, world):
    process, _other, ids = world
    with app.app_context():
        app.config["GROENE_LOPER_DAYS"] = 10
        rows, total = waiting_for_answer(now=NOW)
        assert _listed(rows) == [
            (ids["e"], 15),
            (ids["a"], 14),
            (ids["shortlisted"], 13),
            (ids["b"], 12),
            (ids["d"], 11),
        ]
        assert total == 5 == count_waiting(now=NOW)
        assert all(issue.process.slug for issue, _days in rows)  # the process comes along
        rows, total = waiting_for_answer(process.id, now=NOW)
        assert [i for i, _d in _listed(rows)] == [ids["a"], ids["shortlisted"], ids["b"], ids["d"]] and total == 4


def test_paging_keeps_the_total(app, world):
    _process, _other, ids = world
    with app.app_context():
        rows, total = waiting_for_answer(limit=2, now=NOW)
        assert [i for i, _d in _listed(rows)] == [ids["e"], ids["a"]] and total == 5
        rows, total = waiting_for_answer(limit=2, offset=4, now=NOW)
        assert [i for i, _d in _listed(rows)] == [ids["d"]] and total == 5
        assert waiting_for_answer(limit=2, offset=10, now=NOW) == ([], 5)


def test_the_setting_is_in_working_days(app, world):
    _process, _other, ids = world
    with app.app_context():
        app.config["GROENE_LOPER_DAYS"] = 12
        rows, _total = waiting_for_answer(now=NOW)
        assert [i for i, _d in _listed(rows)] == [ids["e"], ids["a"], ids["shortlisted"]]
        # on Monday the 23rd the issue of Friday the 6th has waited 11 working days
        app.config["GROENE_LOPER_DAYS"] = 10
        monday = NOW + timedelta(days=3)
        assert ids["c"] in [issue.id for issue, _d in waiting_for_answer(now=monday)[0]]
        # sent in during the weekend before: its first working day was Monday the 9th, so it waited 11 too
        assert overdue_before(monday) == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)


def test_hidden_issues_are_never_listed_inside_a_request_either(app, world):
    _process, _other, ids = world
    with app.test_request_context():
        rows, total = waiting_for_answer(now=NOW)
        listed = {issue.id for issue, _days in rows}
        assert ids["hidden"] not in listed and ids["pending"] not in listed and total == 5


def test_the_balance_signal_counts_in_working_days(app, client, world):
    app.config["GROENE_LOPER_DAYS"] = 10
    process = make_process(app, slug="meerzicht")
    resident = make_user(app, "resident")
    old = datetime.now(UTC) - timedelta(days=40)
    make_issue(app, process.id, resident.id, title="Lantaarnpaal kapot", created_at=old)
    page = client.get(f"/processes/{process.slug}/balance").get_data(as_text=True)
    assert "Bewoners wachten op een antwoord" in page
    assert "binnen 10 werkdagen" in page
    assert "Lantaarnpaal kapot" in page
