"""The figures on small hand-computed examples.

Every expectation is written as the arithmetic behind it, so a reader can
check it: June 2025 has 30 days, sick days run from the first sick day up to
the day before the hersteldatum, employment days include the "uit dienst
per" date.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from accounts.scoping import tenant_scope
from analytics.figures import DurationClass
from analytics.periods import Period, Scope
from analytics.selectors import (
    frequent_absence,
    meldingsfrequentie,
    nulverzuim,
    verzuimduur,
    verzuimpercentage,
    verzuimpercentage_by_month,
)
from analytics.tests.conftest import case, d, employee
from cases.models import VangnetCategory
from cases.tests.factories import EmployerFactory

JUNE = Period.month(2025, 6)
LATER = d("2025-12-01")  # June is closed


def pct(numerator, denominator) -> Decimal:
    """100 x numerator / denominator, rounded half up to 2 decimals."""
    value = Decimal(100) * Decimal(str(numerator)) / Decimal(str(denominator))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vp(employer, period=JUNE, as_of=LATER, department=""):
    return verzuimpercentage(Scope(employer, department), period, as_of=as_of)


def test_full_timer_sick_ten_days(employer):
    sick = employee(employer)
    employee(employer)  # healthy colleague
    case(sick, "2025-06-05", "2025-06-15")  # sick 5..14 June: 10 days
    figure = vp(employer)
    assert figure.sick_days == Decimal("10.0000")
    assert figure.employment_days == Decimal(30 + 30)
    assert figure.percentage == pct(10, 60) == Decimal("16.67")


def test_part_timer_sick_whole_month_weighs_half(employer):
    part_timer = employee(employer, hours="20")  # 20 / 40 = 0.5
    employee(employer)
    case(part_timer, "2025-05-20")  # open, the whole of June
    figure = vp(employer)
    assert figure.sick_days == Decimal(30 * 0.5)
    assert figure.employment_days == Decimal(30 * 0.5 + 30 * 1)
    assert figure.percentage == pct(15, 45) == Decimal("33.33")


def test_contract_hours_above_full_time_count_as_one_and_unknown_as_one(employer):
    employer.fulltime_hours = Decimal("36")
    employer.save()
    case(employee(employer, hours="40"), "2025-06-01", "2025-06-11")  # 10 days
    employee(employer, hours=None)
    employee(employer, hours="18")  # 18 / 36 = 0.5
    figure = vp(employer)
    assert figure.employment_days == Decimal(30 * 1 + 30 * 1 + 30 * 0.5)
    assert figure.percentage == pct(10, 75)


def test_partial_recovery_mid_month_weighs_the_ao_factor(employer):
    person = employee(employer)
    # 100 % on 1..15 June, 50 % from 16 June on.
    case(person, "2025-06-01", changes=(("2025-06-16", 50),))
    figure = vp(employer)
    assert figure.sick_days == Decimal(15 * 1 + 15 * 0.5)
    assert figure.percentage == pct(22.5, 30) == Decimal("75.00")


def test_latest_recorded_change_wins_a_tie(employer):
    person = employee(employer)
    # Two changes on the same day: the one recorded last (25 %) counts.
    case(person, "2025-06-01", changes=(("2025-06-11", 50), ("2025-06-11", 25)))
    figure = vp(employer)
    assert figure.sick_days == Decimal(10 * 1 + 20 * 0.25)


def test_case_spanning_the_period_counts_only_its_days_in_it(employer):
    person = employee(employer)
    # 100 % from 10 May, 50 % from 20 May, recovered 10 July: all of June 50 %.
    case(person, "2025-05-10", "2025-07-10", changes=(("2025-05-20", 50),))
    figure = vp(employer)
    assert figure.sick_days == Decimal(30 * 0.5)
    assert figure.percentage == pct(15, 30) == Decimal("50.00")


def test_running_period_counts_up_to_as_of(employer):
    person = employee(employer)
    employee(employer)
    case(person, "2025-06-06")  # open
    as_of = d("2025-06-10")  # counted days 1..10 June
    figure = vp(employer, as_of=as_of)
    assert figure.sick_days == Decimal(5)  # 6..10 June
    assert figure.employment_days == Decimal(10 + 10)
    assert figure.percentage == pct(5, 20) == Decimal("25.00")


def test_period_not_started_has_no_figures(employer):
    case(employee(employer), "2025-05-01")
    figure = vp(employer, as_of=d("2025-05-20"))
    assert figure.percentage is None
    assert figure.employment_days == 0


def test_sick_days_after_leaving_do_not_count(employer):
    leaver = employee(employer, end="2025-06-20")  # last day of employment
    case(leaver, "2025-06-11")  # ziek uit dienst, still open
    figure = vp(employer)
    assert figure.employment_days == Decimal(20)  # 1..20 June
    assert figure.sick_days == Decimal(10)  # 11..20 June
    assert figure.percentage == pct(10, 20) == Decimal("50.00")


def test_employee_joining_mid_month_counts_from_the_start(employer):
    joiner = employee(employer, start="2025-06-21")  # 21..30 June: 10 days
    case(joiner, "2025-06-26", "2025-06-28")  # 2 days
    figure = vp(employer)
    assert figure.employment_days == Decimal(10)
    assert figure.percentage == pct(2, 10)


def test_pregnancy_related_cases_left_out_of_the_numerator_only(employer):
    case(employee(employer), "2025-06-01", "2025-06-11")  # 10 days
    case(
        employee(employer),
        "2025-06-01",
        "2025-06-06",  # 5 days
        vangnet_category=VangnetCategory.ZIEK_DOOR_ZWANGERSCHAP_VOOR_VERLOF,
    )
    case(
        employee(employer),
        "2025-06-10",
        "2025-06-13",  # 3 days
        vangnet_category=VangnetCategory.ZIEK_DOOR_BEVALLING_NA_VERLOF,
    )
    figure = vp(employer)
    assert figure.employment_days == Decimal(3 * 30)
    assert figure.percentage == pct(10 + 5 + 3, 90) == Decimal("20.00")
    assert figure.sick_days_excl_pregnancy == Decimal(10)
    assert figure.percentage_excl_pregnancy == pct(10, 90) == Decimal("11.11")


def test_samentelling_relapse_is_a_new_report_and_a_new_ended_case(employer):
    person = employee(employer)
    first = case(person, "2025-06-02", "2025-06-05")  # 3 days
    case(person, "2025-06-20", "2025-06-25", previous_case=first)  # 5 days
    assert vp(employer).percentage == pct(3 + 5, 30)
    frequency = meldingsfrequentie(Scope(employer), JUNE, as_of=LATER)
    assert frequency.reports == 2
    duration = verzuimduur(Scope(employer), JUNE, as_of=LATER)
    assert duration.ended_cases == 2
    assert duration.total_days == 3 + 5
    assert duration.mean_days == Decimal("4.00")


def test_meldingsfrequentie_closed_month_and_running(employer):
    people = [employee(employer) for _ in range(3)]
    employee(employer, start="2025-06-16")  # 15 of 30 days: half a head
    employee(employer, end="2025-05-31")  # gone before June: no head
    case(people[0], "2025-05-25")  # reported in May: not a June report
    case(people[1], "2025-06-03", "2025-06-05")
    case(people[2], "2025-06-12", "2025-06-20")
    frequency = meldingsfrequentie(Scope(employer), JUNE, as_of=LATER)
    headcount = Decimal(3 * 30 + 15) / 30
    assert frequency.reports == 2
    assert frequency.average_headcount == Decimal("3.5000")
    assert frequency.frequency == Decimal("0.5714")  # 2 / 3.5
    assert frequency.annualised == (2 / headcount * 12).quantize(Decimal("0.0001"))
    assert frequency.annualised == Decimal("6.8571")

    running = meldingsfrequentie(Scope(employer), JUNE, as_of=d("2025-06-10"))
    # Counted days 1..10 June; the joiner has none yet.
    assert running.reports == 1
    assert running.average_headcount == Decimal(3)
    assert running.frequency == Decimal("0.3333")
    assert running.annualised == (Decimal(1) / 3 * 365 / 10).quantize(Decimal("0.0001"))


def test_quarter_is_annualised_by_four(employer):
    person = employee(employer)
    case(person, "2025-05-01", "2025-05-03")
    frequency = meldingsfrequentie(
        Scope(employer), Period.quarter(2025, 2), as_of=LATER
    )
    assert frequency.reports == 1
    assert frequency.average_headcount == 1
    assert frequency.annualised == Decimal(4)


def test_duration_capped_at_730_and_class_boundaries(employer):
    recovery = dt.date(2025, 6, 15)
    lengths = [14, 15, 91, 92, 365, 366, 800]
    for days in lengths:
        case(
            employee(employer, start="2018-01-01"),
            (recovery - dt.timedelta(days=days)).isoformat(),
            recovery.isoformat(),
        )
    # Not ended in June: an open case and one recovered in July.
    case(employee(employer), "2025-06-20")
    case(employee(employer), "2025-06-20", "2025-07-02")
    duration = verzuimduur(Scope(employer), JUNE, as_of=LATER)
    capped = [min(days, 730) for days in lengths]
    assert duration.ended_cases == 7
    assert duration.total_days == sum(capped) == 1673
    assert duration.mean_days == Decimal(1673) / 7 == Decimal("239.00")
    counts = {c.duration_class: (c.cases, c.share) for c in duration.classes}
    assert counts == {
        DurationClass.KORT: (1, pct(1, 7)),  # 14
        DurationClass.MIDDELLANG: (2, pct(2, 7)),  # 15, 91
        DurationClass.LANG: (2, pct(2, 7)),  # 92, 365
        DurationClass.EXTRA_LANG: (2, pct(2, 7)),  # 366, 800 -> 730
    }


def test_no_ended_cases_still_lists_every_class(employer):
    employee(employer)
    duration = verzuimduur(Scope(employer), JUNE, as_of=LATER)
    assert duration.ended_cases == 0
    assert duration.mean_days is None
    assert [c.duration_class for c in duration.classes] == list(DurationClass)
    assert all(c.cases == 0 and c.share is None for c in duration.classes)


def test_nulverzuim(employer):
    reported = employee(employer)
    long_sick = employee(employer)
    employee(employer)
    employee(employer, start="2025-06-30")  # one day employed: counts
    employee(employer, end="2025-05-31")  # not employed in June
    case(reported, "2025-06-10", "2025-06-12")
    case(long_sick, "2025-03-01")  # sick all June, but reported in March
    figure = nulverzuim(Scope(employer), JUNE, as_of=LATER)
    assert figure.employees == 4
    assert figure.without_report == 3
    assert figure.percentage == pct(3, 4) == Decimal("75.00")


def test_frequent_absence_in_the_twelve_months_to_the_last_counted_day(employer):
    frequent = employee(employer, start="2018-01-01")
    not_quite = employee(employer, start="2018-01-01")
    # Window: 1 July 2024 .. 30 June 2025.
    case(frequent, "2024-07-01", "2024-07-03")
    case(frequent, "2025-01-10", "2025-01-12")
    case(frequent, "2025-06-30")
    case(not_quite, "2024-06-30", "2024-07-02")  # the day before the window
    case(not_quite, "2025-01-10", "2025-01-12")
    case(not_quite, "2025-03-01", "2025-03-05")
    figure = frequent_absence(Scope(employer), JUNE, as_of=LATER)
    assert (figure.window_start, figure.window_end) == (
        d("2024-07-01"),
        d("2025-06-30"),
    )
    assert figure.employees == 1
    running = frequent_absence(Scope(employer), JUNE, as_of=d("2025-06-29"))
    # Window 30 June 2024 .. 29 June 2025: the first employee's third report
    # falls out, the second one's first report falls in.
    assert (running.window_start, running.window_end) == (
        d("2024-06-30"),
        d("2025-06-29"),
    )
    assert running.employees == 1


def test_trend_per_month_leaves_out_months_after_as_of(employer):
    person = employee(employer)
    employee(employer)
    case(person, "2025-04-21", "2025-05-06")  # 10 days in April, 5 in May
    trend = verzuimpercentage_by_month(
        Scope(employer), Period.quarter(2025, 2), as_of=d("2025-05-15")
    )
    assert [m.month for m in trend] == [d("2025-04-01"), d("2025-05-01")]
    assert trend[0].percentage == pct(10, 2 * 30)
    assert trend[1].percentage == pct(5, 2 * 15)  # May counts 1..15
    assert trend[1].percentage_excl_pregnancy == trend[1].percentage


def test_trend_months_are_clipped_to_a_custom_period(employer):
    person = employee(employer)
    case(person, "2025-06-25", "2025-07-05")  # 6 days in June, 4 in July
    period = Period.custom(d("2025-06-21"), d("2025-07-10"))
    trend = verzuimpercentage_by_month(Scope(employer), period, as_of=LATER)
    assert [(m.month, m.percentage) for m in trend] == [
        (d("2025-06-01"), pct(6, 10)),  # 21..30 June
        (d("2025-07-01"), pct(4, 10)),  # 1..10 July
    ]
    whole = vp(employer, period=period)
    assert whole.percentage == pct(10, 20)


def test_department_scope(employer):
    case(employee(employer, department="Magazijn"), "2025-06-01", "2025-06-16")
    employee(employer, department="Magazijn")
    case(employee(employer, department="Kantoor"), "2025-06-01", "2025-06-04")
    assert vp(employer, department="Magazijn").percentage == pct(15, 60)
    assert vp(employer, department="Kantoor").percentage == pct(3, 30)
    assert vp(employer).percentage == pct(15 + 3, 90)
    assert nulverzuim(Scope(employer, "Kantoor"), JUNE, as_of=LATER).employees == 1
    assert vp(employer, department="Onbekend").percentage is None


def test_other_employers_and_tenants_never_count(employer, tenant, other_tenant):
    case(employee(employer), "2025-06-01", "2025-06-11")
    neighbour = EmployerFactory(tenant=tenant, name="Buren B.V.")
    for _ in range(3):
        case(employee(neighbour), "2025-06-01")
    with tenant_scope(other_tenant):
        stranger = EmployerFactory(tenant=other_tenant, name="Elders B.V.")
        for _ in range(3):
            case(employee(stranger), "2025-06-01")
    assert vp(employer).percentage == pct(10, 30)
    assert meldingsfrequentie(Scope(employer), JUNE, as_of=LATER).reports == 1
    assert nulverzuim(Scope(employer), JUNE, as_of=LATER).employees == 1
    # Even asked for by id from tenant A's scope, B's rows stay invisible.
    assert vp(stranger).employment_days == 0


def test_empty_employer_has_no_figures(employer):
    scope = Scope(employer)
    assert vp(employer).percentage is None
    assert vp(employer).percentage_excl_pregnancy is None
    frequency = meldingsfrequentie(scope, JUNE, as_of=LATER)
    assert (frequency.reports, frequency.frequency, frequency.annualised) == (
        0,
        None,
        None,
    )
    assert nulverzuim(scope, JUNE, as_of=LATER).percentage is None
    assert verzuimduur(scope, JUNE, as_of=LATER).mean_days is None
    assert frequent_absence(scope, JUNE, as_of=LATER).employees == 0
    trend = verzuimpercentage_by_month(scope, JUNE, as_of=LATER)
    assert [(m.month, m.percentage) for m in trend] == [(d("2025-06-01"), None)]


def test_days_before_the_first_change_and_cases_without_changes_are_100(employer):
    from cases.tests.factories import AbsenceCaseFactory, WorkabilityChangeFactory

    late = AbsenceCaseFactory(
        employee=employee(employer), first_sick_day=d("2025-06-01")
    )
    # First recorded change only on 11 June (50 %): 1..10 June count 100 %.
    WorkabilityChangeFactory(
        case=late, effective_date=d("2025-06-11"), percentage_unfit=50
    )
    AbsenceCaseFactory(employee=employee(employer), first_sick_day=d("2025-06-21"))
    figure = vp(employer)
    assert figure.sick_days == Decimal(10 * 1 + 20 * 0.5 + 10 * 1)
    assert figure.percentage == pct(30, 60)
    trend = verzuimpercentage_by_month(Scope(employer), JUNE, as_of=LATER)
    assert trend[0].percentage == figure.percentage


def test_anonymised_employees_and_cases_still_count(employer):
    from cases.models import Employee
    from privacy.models import RetentionMark
    from privacy.services import retention_run

    leaver = employee(employer, hours="20", end="2023-06-30")
    case(leaver, "2023-03-06", "2023-05-01")  # 56 days
    march_to_june = Period.custom(d("2023-03-01"), d("2023-06-30"))
    before = vp(employer, period=march_to_june)
    # Default retention: 24 months after the end of the case and employment.
    retention_run(tenant=employer.tenant, today=d("2025-07-15"))
    assert RetentionMark.objects.filter(employee=leaver).exists()
    assert Employee.objects.get(pk=leaver.pk).surname != leaver.surname
    after = vp(employer, period=march_to_june)
    assert after == before
    assert after.sick_days == Decimal(56 * 0.5)
    assert after.employment_days == Decimal(122 * 0.5)  # March..June
