"""Day and week counting, and working days.

Week N of an illness covers sick days 7N-6 .. 7N, counted from the first sick
day (day 1) in calendar days; ISO calendar weeks play no part (rules §3).

A working day is Monday to Friday and not a holiday of the Algemene
termijnenwet, art. 3 lid 1: Nieuwjaarsdag, tweede Paas- en Pinksterdag,
Hemelvaartsdag, beide Kerstdagen, the day the King's birthday is celebrated
(Koningsdag) and 5 mei. The moving dates come from the ``holidays`` package;
5 mei is added for every year because the Act names it, while the package
treats Bevrijdingsdag as a public holiday only once every five years.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

import holidays

# Names as the holidays package spells them in Dutch (language="nl"). Goede
# vrijdag is in the package's public list but not in the Act, so it is left
# out; the first Easter and Whit days are Sundays anyway.
ATW_HOLIDAY_NAMES = frozenset(
    {
        "Nieuwjaarsdag",
        "Tweede paasdag",
        "Tweede pinksterdag",
        "Hemelvaartsdag",
        "Eerste kerstdag",
        "Tweede kerstdag",
        "Koningsdag",
        "Koninginnedag",
    }
)


@cache
def atw_holidays(year: int) -> frozenset[dt.date]:
    """The Algemene termijnenwet holidays of ``year``."""
    package = holidays.NL(years=year, language="nl")
    days = {day for day, name in package.items() if name in ATW_HOLIDAY_NAMES}
    days.add(dt.date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an Algemene termijnenwet holiday."""
    return day.weekday() < 5 and day not in atw_holidays(day.year)


# Deadlines of many cases fall on the same days: remembering the answer per
# date makes the engine several times faster at scale.
@lru_cache(maxsize=100_000)
def next_working_day_on_or_after(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@lru_cache(maxsize=100_000)
def last_working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``count`` >= 0)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def end_of_week(first_sick_day: dt.date, week: int) -> dt.date:
    """The last day of illness week ``week`` in an unbroken period."""
    return first_sick_day + dt.timedelta(days=7 * week - 1)
