"""Working days in the Netherlands: Monday to Friday, except the national holidays.

The Groene Loper (the municipality's promise to answer a resident in time) counts in working days, so a week
with Easter Monday or Christmas gives the municipality a day more, like the calendar on the wall of the office.
All dates are Europe/Amsterdam dates: an issue sent in at 00:30 on Tuesday, Dutch time, was sent on Tuesday.

The holidays (the ones most employers give off; Goede Vrijdag is not generally a day off and is left out):
Nieuwjaarsdag (1 January), Eerste and Tweede Paasdag, Koningsdag (27 April, or 26 April when the 27th is a
Sunday), Bevrijdingsdag (5 May, every year), Hemelvaartsdag (Easter + 39 days), Eerste and Tweede Pinksterdag
(Easter + 49 and + 50) and Eerste and Tweede Kerstdag (25 and 26 December). Easter is computed (the Gregorian
algorithm of Meeus, Jones and Butcher), so no table needs updating.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    """The Dutch national holidays of `year` (see the module's docstring for which)."""
    sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # a Sunday: celebrated the day before
        kings_day = date(year, 4, 26)
    return frozenset(
        {
            date(year, 1, 1),  # Nieuwjaarsdag
            sunday,  # Eerste Paasdag
            sunday + timedelta(days=1),  # Tweede Paasdag
            kings_day,  # Koningsdag
            date(year, 5, 5),  # Bevrijdingsdag
            sunday + timedelta(days=39),  # Hemelvaartsdag
            sunday + timedelta(days=49),  # Eerste Pinksterdag
            sunday + timedelta(days=50),  # Tweede Pinksterdag
            date(year, 12, 25),  # Eerste Kerstdag
            date(year, 12, 26),  # Tweede Kerstdag
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def local_date(moment: datetime | date) -> date:
    """The Europe/Amsterdam date of a moment (an aware datetime; a naive one is taken as UTC)."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(AMSTERDAM).date()


def today(now: datetime | None = None) -> date:
    """Today's date in Amsterdam (of `now` when given)."""
    return local_date(now or datetime.now(UTC))


def start_of_day(day: date) -> datetime:
    """The first moment of `day` in Amsterdam, as a UTC datetime (for comparing with stored times)."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from a fixed Monday up to and including `day` (day numbers may be negative)."""
    weeks, rest = divmod(day.toordinal() - 1, 7)  # ordinal 1 (1 January of year 1) is a Monday
    return weeks * 5 + min(rest + 1, 5)


def working_days_between(start: datetime | date, end: datetime | date) -> int:
    """The working days after `start` up to and including `end` (0 when `end` is not after `start`).

    Sent in on a Monday, answered the next Monday: 5 working days. Sent in on a Friday, it is 1 working day
    on Monday. Datetimes count by their Amsterdam date.
    """
    first, last = local_date(start), local_date(end)
    if last <= first:
        return 0
    count = _weekdays_through(last) - _weekdays_through(first)
    for year in range(first.year, last.year + 1):
        count -= sum(1 for day in holidays(year) if first < day <= last and day.weekday() < 5)
    return count


def working_days_back(end: datetime | date, days: int) -> date:
    """The latest date from which at least `days` working days have passed by `end` (Amsterdam dates).

    Whatever was sent in on that date or before has waited `days` working days or more by `end`.
    """
    day = local_date(end)
    counted = 0
    while counted < days:
        if is_working_day(day):
            counted += 1
        day -= timedelta(days=1)
    return day
