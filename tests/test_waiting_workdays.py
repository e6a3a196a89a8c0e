"""Working days for the Groene Loper: Monday to Friday, not on Dutch national holidays, in Amsterdam dates."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.workdays import (
    easter,
    holidays,
    is_working_day,
    local_date,
    start_of_day,
    working_days_back,
    working_days_between,
)


@pytest.mark.parametrize(
    "year, sunday",
    [(2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
     (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25))],
)  # fmt: skip
def test_easter_follows_the_gregorian_calendar(year, sunday):
    assert easter(year) == sunday


def test_the_holidays_of_2026():
    assert sorted(holidays(2026)) == [
        date(2026, 1, 1),  # Nieuwjaarsdag
        date(2026, 4, 5),  # Eerste Paasdag
        date(2026, 4, 6),  # Tweede Paasdag
        date(2026, 4, 27),  # Koningsdag, a Monday
        date(2026, 5, 5),  # Bevrijdingsdag
        date(2026, 5, 14),  # Hemelvaartsdag
        date(2026, 5, 24),  # Eerste Pinksterdag
        date(2026, 5, 25),  # Tweede Pinksterdag
        date(2026, 12, 25),  # Eerste Kerstdag
        date(2026, 12, 26),  # Tweede Kerstdag
    ]
    assert is_working_day(date(2026, 4, 3))  # Goede Vrijdag is not generally a day off


def test_a_normal_week():
    monday = date(2026, 3, 2)
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, monday + timedelta(days=7)) == 5  # Monday to Monday
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday to Monday
    assert working_days_between(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert working_days_between(monday + timedelta(days=7), monday) == 0  # backwards: none


def test_a_week_with_easter_counts_one_day_less():
    # Thursday 2 April 2026 to Thursday 9 April: Friday, (Easter Monday), Tuesday, Wednesday, Thursday
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 4


def test_christmas_and_new_year():
    # Monday 22 December 2025 to Friday 2 January 2026: 23, 24, 29, 30, 31 December and 2 January
    assert working_days_between(date(2025, 12, 22), date(2026, 1, 2)) == 6


def test_kings_day_on_a_sunday_moves_to_saturday():
    assert date(2025, 4, 27).weekday() == 6
    assert date(2025, 4, 26) in holidays(2025) and date(2025, 4, 27) not in holidays(2025)
    assert working_days_between(date(2025, 4, 25), date(2025, 4, 28)) == 1  # so Monday is a normal day
    # a Koningsdag on a weekday is a day off
    assert working_days_between(date(2026, 4, 24), date(2026, 4, 28)) == 1


def test_liberation_day_every_year_and_ascension_and_pentecost():
    assert working_days_between(date(2026, 5, 4), date(2026, 5, 6)) == 1  # Tuesday 5 May 2026
    assert working_days_between(date(2026, 5, 13), date(2026, 5, 15)) == 1  # Ascension, Thursday 14 May
    assert working_days_between(date(2026, 5, 22), date(2026, 5, 26)) == 1  # Whit Monday, 25 May


def test_dates_are_amsterdam_dates():
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on Tuesday in Amsterdam (winter time)
    assert local_date(late) == date(2026, 3, 3)
    summer = datetime(2026, 7, 6, 22, 30, tzinfo=UTC)  # 00:30 on Tuesday (summer time)
    assert local_date(summer) == date(2026, 7, 7)
    assert start_of_day(date(2026, 3, 3)) == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    # Sent in at 23:30 UTC on Sunday is Monday in Amsterdam: on Monday it has not waited a working day yet
    sunday_night = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert working_days_between(sunday_night, datetime(2026, 3, 9, 10, tzinfo=UTC)) == 0


def test_counting_back_matches_counting_forward():
    for offset in range(0, 400, 3):
        end = date(2025, 11, 1) + timedelta(days=offset)
        for days in (1, 5, 10, 11):
            start = working_days_back(end, days)
            assert working_days_between(start, end) >= days
            assert working_days_between(start + timedelta(days=1), end) < days
