"""Working days per the Algemene termijnenwet, art. 3, checked against `holidays`."""

import datetime as dt

import holidays
import pytest

from poortwachter.rules.calendar import (
    ATW_HOLIDAY_NAMES,
    add_working_days,
    atw_holidays,
    is_working_day,
)

D = dt.date.fromisoformat


@pytest.mark.parametrize("year", range(2024, 2036))
def test_atw_holidays_are_the_acts_list(year):
    """Nieuwjaarsdag, 2e Paas-/Pinksterdag, Hemelvaart, beide Kerstdagen,
    Koningsdag and 5 mei: eight days (or seven when two coincide)."""
    days = atw_holidays(year)
    package = holidays.NL(years=year, language="nl")
    names = {package.get(day) for day in days} - {None}
    assert dt.date(year, 1, 1) in days
    assert dt.date(year, 5, 5) in days
    assert dt.date(year, 12, 25) in days and dt.date(year, 12, 26) in days
    assert {
        "Tweede paasdag",
        "Tweede pinksterdag",
        "Hemelvaartsdag",
        "Koningsdag",
    } <= names
    assert len(days) in (7, 8)


def test_package_still_names_every_holiday_the_act_needs():
    """Guards against a renamed category in a newer `holidays` release."""
    found = set(holidays.NL(years=range(2024, 2030), language="nl").values())
    assert ATW_HOLIDAY_NAMES - {"Koninginnedag"} <= found


def test_goede_vrijdag_is_not_an_atw_holiday():
    assert is_working_day(D("2026-04-03"))


def test_koningsdag_moves_to_saturday_when_27_april_is_a_sunday():
    assert D("2025-04-26") in atw_holidays(2025)
    assert D("2025-04-27") not in atw_holidays(2025)


def test_5_mei_is_a_holiday_every_year():
    assert not is_working_day(D("2026-05-05"))  # a Tuesday, not a lustrum year


def test_add_working_days_skips_weekends_and_holidays():
    assert add_working_days(D("2025-12-23"), 2) == D("2025-12-29")
    assert add_working_days(D("2025-12-23"), 0) == D("2025-12-23")
