"""The absence figures of one employer (or department) over one period.

Each selector is one SQL aggregate over the employees, cases and
workability changes of the scope; nothing loops over cases or employees in
Python. They run inside the caller's tenant scope (row-level security
applies to the raw SQL too) and do not check access. The definitions
follow Vernet (``shared/poortwachter-rules.md`` §5); ``docs/statistics.md``
("Definities") gives them with the formulas.

Definitions
-----------
- *Population*: the Employee rows of ``scope.employer`` (and of
  ``scope.department`` when it is not empty). Anonymised employees and cases
  (privacy retention) keep every field used here, so they still count.
- *Counted days*: ``period.start`` up to and including
  ``period.until(as_of)``; days after ``as_of`` never count.
- *Employment days*: ``employment_start`` up to and including
  ``employment_end`` ("uit dienst per" is the last day of employment, as the
  Poortwachter rules read it), intersected with the counted days.
- *Part-time factor* (ptf): ``LEAST(contract_hours / employer.fulltime_hours,
  1)``; 1 when the contract hours are unknown.
- *Sick days of a case*: ``first_sick_day`` up to the day before
  ``recovery_date`` (the first day fully recovered); an open case runs on to
  the last counted day. Clipped to the employment days. There is no
  cancelled status (CaseStatus is open, recovered, closed), so every case
  counts.
- *AO factor* of a day: ``percentage_unfit / 100`` of the latest
  WorkabilityChange with ``effective_date`` on or before that day (the latest
  recorded wins a tie); 1.0 before the first change.
- *Pregnancy-related*: the case's vangnet category is one of the two
  ``ZIEK_DOOR_ZWANGERSCHAP`` / ``ZIEK_DOOR_BEVALLING`` categories; the
  ``*_excl_pregnancy`` figures leave those cases out of the numerator only.
- VP = 100 x sum(sick days x ptf x AO) / sum(employment days x ptf).
- MF: reports are cases whose first sick day is a counted employment day (a
  samentelling relapse is a new ziekmelding); average headcount = employment
  days (unweighted) / counted days; frequency = reports / headcount;
  annualised x12, x4, x1 for a closed month, quarter, year, otherwise x 365
  / counted days.
- Verzuimduur: cases with a ``recovery_date`` in the counted days; duration
  = ``recovery_date - first_sick_day`` (calendar days), at most 730. Each
  case of a samentelling chain is its own verzuimgeval.
- Nulverzuim: employees with at least one employment day in the counted
  days; ``without_report`` those of them with no report in those days.
- Frequent absence: employees of the scope with 3 or more cases whose first
  sick day lies in the 12 months ending on the last counted day.

Rounding: percentages and mean days to 2 decimals, day sums, headcounts and
frequencies to 4 (ROUND_HALF_UP). A figure without a denominator is None.

``dashboard`` gathers every figure (and ``analytics.compliance``); a closed
month, quarter or year is read from its ``FigureSnapshot`` (stored the first
time it is computed; ``analytics.signals`` deletes it when old data is
corrected).

The SQL runs on PostgreSQL (production, tests, benchmark) and on SQLite
(the embedded demo): the constructs that differ (date parameters and
arithmetic, GREATEST / LEAST skipping NULL, the month series, list
parameters) come from ``analytics.dialect``, which gives PostgreSQL the text
measured below.

Cost (measured on a 2-core machine shared with other work, 100,000
employees, 360,000 cases, 790,000 workability changes): a month 0.5 s per
figure, a year about 2 s for the VP and trend query and under 0.6 s for the
others, three years about 3-4 s for the VP/trend query. Indexes used: the
employer (and department) index on employees, the employee foreign key on
cases and the case foreign key on workability changes; the LEAD/ROW_NUMBER
window sorts the changes of the cases in the period.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from analytics.dialect import (
    date_param,
    days_between,
    decimal,
    greatest,
    in_list,
    least,
    list_params,
    month_start,
    month_starts,
    plus_days,
    prepare,
    read_date,
    read_value,
)
from analytics.figures import (
    MAX_CASE_DAYS,
    Dashboard,
    DurationClass,
    DurationClassCount,
    FrequentAbsence,
    Meldingsfrequentie,
    MonthlyPercentage,
    Nulverzuim,
    Verzuimduur,
    Verzuimpercentage,
)
from analytics.periods import Period, PeriodKind, Scope
from cases.models import VangnetCategory

PREGNANCY_CATEGORIES = (
    VangnetCategory.ZIEK_DOOR_ZWANGERSCHAP_VOOR_VERLOF.value,
    VangnetCategory.ZIEK_DOOR_BEVALLING_NA_VERLOF.value,
)
# How many ziekmeldingen in 12 months make frequent absence.
FREQUENT_ABSENCE_REPORTS = 3

_TWO = Decimal("0.01")
_FOUR = Decimal("0.0001")


def _round(value: Decimal | int | None, places: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _percentage(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    ratio = _ratio(numerator, denominator)
    return None if ratio is None else _round(100 * ratio, _TWO)


def _last_counted_day(period: Period, as_of: dt.date) -> dt.date | None:
    """The last counted day, or None when the period has not started."""
    last = period.until(as_of)
    return last if last >= period.start else None


def _params(scope: Scope, start: dt.date, last: dt.date) -> dict[str, Any]:
    return {
        "employer": scope.employer.pk,
        "department": scope.department,
        "start": start,
        "last": last,
        **list_params("pregnancy", PREGNANCY_CATEGORIES),
    }


def _in_scope(alias: str, scope: Scope) -> str:
    """The WHERE condition for the scope's employees (alias ``alias``)."""
    condition = f"{alias}.employer_id = %(employer)s"
    if scope.department:
        condition += f" AND {alias}.department = %(department)s"
    return condition


def _population(scope: Scope) -> str:
    """CTE ``population``: every employee of the scope with employment days
    among the counted days, as the half-open day range ``[first, stop)``,
    and a part-time factor ``ptf``.

    Day ranges are pairs of dates, intersected with GREATEST / LEAST (which
    skip NULL, an open end) and measured by subtraction: the same arithmetic
    as daterange's ``*`` and ``upper - lower``, without building a range
    value per row (measured 2-3x faster over a million rows)."""
    last = date_param("last")
    ptf = least(f"COALESCE({decimal('e.contract_hours')} / w.fulltime_hours, 1)", "1")
    return f"""
    population AS (
        SELECT e.id,
               {greatest("e.employment_start", date_param("start"))} AS first,
               {least(plus_days("e.employment_end", 1), plus_days(last, 1))} AS stop,
               {decimal(ptf)} AS ptf
        FROM cases_employee e
        JOIN cases_employer w ON w.id = e.employer_id
        WHERE {_in_scope("e", scope)}
          AND e.employment_start <= %(last)s
          AND (e.employment_end IS NULL OR e.employment_end >= %(start)s)
    )"""  # noqa: S608 - module constants; values are parameters


def _stretches(scope: Scope) -> str:
    """CTEs up to ``stretches``: one row per workability change of every
    case with sick days among the employment days counted (a case without
    changes: one row with NULL ``effective``).

    ``[first, stop)`` are the case's sick days (first sick day up to the
    hersteldatum, clipped to the employment and counted days). A change holds
    at ``percentage`` from ``effective`` until ``next`` (the following
    change, LEAD; ties on a date: the change recorded last wins, the others
    hold for no day). The days before a case's first change (``n`` = 1) are
    100 %.
    """
    return f"""{_population(scope)},
    sick AS (
        SELECT c.id, p.ptf,
               {in_list("c.vangnet_category", "pregnancy", len(PREGNANCY_CATEGORIES))}
                   AS pregnancy,
               {greatest("c.first_sick_day", "p.first")} AS first,
               {least("c.recovery_date", "p.stop")} AS stop
        FROM cases_absencecase c
        JOIN population p ON p.id = c.employee_id
        WHERE c.first_sick_day <= %(last)s
          AND (c.recovery_date IS NULL OR c.recovery_date > %(start)s)
          AND c.first_sick_day < p.stop
          AND (c.recovery_date IS NULL OR c.recovery_date > p.first)
    ),
    stretches AS (
        SELECT s.ptf, s.pregnancy, s.first, s.stop,
               w.effective_date AS effective,
               COALESCE(w.percentage_unfit, 100) AS percentage,
               LEAD(w.effective_date) OVER later AS next,
               ROW_NUMBER() OVER later AS n
        FROM sick s
        LEFT JOIN cases_workabilitychange w
               ON w.case_id = s.id AND w.effective_date <= %(last)s
        WINDOW later AS (
            PARTITION BY s.id ORDER BY w.effective_date, w.recorded_at, w.id
        )
    )"""  # noqa: S608 - module constants; values are parameters


def _weighted_sick_days() -> str:
    """Weighted sick days (ptf x AO) of a stretch row: the sick days at its
    percentage, and (first change only) the days at 100 % before it.
    GREATEST(..., 0): a stretch outside the sick days has none."""
    at_percentage = greatest(
        days_between(least("st.stop", "st.next"), greatest("st.first", "st.effective")),
        "0",
    )
    before_first_change = (
        "CASE WHEN st.n = 1 AND st.effective IS NOT NULL THEN "
        + greatest(days_between(least("st.stop", "st.effective"), "st.first"), "0")
        + " ELSE 0 END"
    )
    return (
        f"st.ptf * (st.percentage * {at_percentage}"
        f" + 100 * {before_first_change}) / 100"
    )


def _fetch_all(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        prepare(cursor)
        cursor.execute(sql, params)
        return [tuple(map(read_value, row)) for row in cursor.fetchall()]


def _fetch_one(sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    return _fetch_all(sql, params)[0]


def verzuimpercentage(
    scope: Scope, period: Period, *, as_of: dt.date
) -> Verzuimpercentage:
    """VP over the counted days of ``period``, with and without the
    pregnancy-related cases."""
    last = _last_counted_day(period, as_of)
    if last is None:
        return Verzuimpercentage(Decimal(0), Decimal(0), None, Decimal(0), None)
    weighted = _weighted_sick_days()
    sql = f"""
    WITH {_stretches(scope)}
    SELECT
        (SELECT COALESCE(SUM(p.ptf * ({days_between("p.stop", "p.first")})), 0)
         FROM population p),
        COALESCE(SUM({weighted}), 0),
        COALESCE(SUM({weighted}) FILTER (WHERE NOT st.pregnancy), 0)
    FROM stretches st
    """  # noqa: S608 - module constants; values are parameters
    employment, sick, sick_excl = _fetch_one(sql, _params(scope, period.start, last))
    return _verzuimpercentage_of(employment, sick, sick_excl)


def _verzuimpercentage_of(
    employment: Decimal, sick: Decimal, sick_excl: Decimal
) -> Verzuimpercentage:
    """The VP from its weighted day sums."""
    return Verzuimpercentage(
        sick_days=_round(sick, _FOUR),
        employment_days=_round(employment, _FOUR),
        percentage=_percentage(sick, employment),
        sick_days_excl_pregnancy=_round(sick_excl, _FOUR),
        percentage_excl_pregnancy=_percentage(sick_excl, employment),
    )


def verzuimpercentage_by_month(
    scope: Scope, period: Period, *, as_of: dt.date
) -> tuple[MonthlyPercentage, ...]:
    """VP per calendar month the period touches, each clipped to the
    period's counted days; months that start after ``as_of`` are left out."""
    return _trend(_monthly_sums(scope, period, as_of=as_of))


def _trend(rows: list[tuple[Any, ...]]) -> tuple[MonthlyPercentage, ...]:
    return tuple(
        MonthlyPercentage(
            month=read_date(month),
            percentage=_percentage(sick, employment),
            percentage_excl_pregnancy=_percentage(sick_excl, employment),
        )
        for month, employment, sick, sick_excl in rows
    )


def _verzuimpercentage_of_months(rows: list[tuple[Any, ...]]) -> Verzuimpercentage:
    """The VP of the whole period from its exact monthly sums (the months
    split the counted days, so the sums add up to the period's)."""
    employment = sum((row[1] for row in rows), Decimal(0))
    sick = sum((row[2] for row in rows), Decimal(0))
    sick_excl = sum((row[3] for row in rows), Decimal(0))
    return _verzuimpercentage_of(employment, sick, sick_excl)


def _monthly_sums(
    scope: Scope, period: Period, *, as_of: dt.date
) -> list[tuple[Any, ...]]:
    """(month, weighted employment days, weighted sick days, the same
    without pregnancy) per month of the trend: one query."""
    last = _last_counted_day(period, as_of)
    if last is None:
        return []
    # Each employment stretch and sick segment is a step of its weight
    # (ptf, or ptf x AO) from its first day up to its end; summed per day
    # these steps give F(x), the weighted days before day x, at each month
    # boundary x. A month's days are F(next boundary) - F(its boundary):
    # one pass over the rows, whatever the number of months.
    start, last_day = date_param("start"), date_param("last")
    elapsed = days_between("b.day", "d.day")
    segment_first = greatest("st.first", "st.effective")
    segment_stop = least("st.stop", "st.next")
    before_first_change_stop = least("st.stop", "st.effective")
    sql = f"""
    WITH {_stretches(scope)},
    segments AS (
        SELECT st.ptf * st.percentage / 100.0 AS weight, st.pregnancy,
               {segment_first} AS first,
               {segment_stop} AS stop
        FROM stretches st
        WHERE {segment_first} < {segment_stop}
        UNION ALL
        SELECT st.ptf, st.pregnancy, st.first, {before_first_change_stop}
        FROM stretches st
        WHERE st.n = 1
          AND st.effective IS NOT NULL
          AND st.first < {before_first_change_stop}
    ),
    steps AS (
        SELECT p.first AS day, p.ptf AS employed, 0 AS sick, 0 AS sick_excl
        FROM population p
        UNION ALL
        SELECT p.stop, -p.ptf, 0, 0 FROM population p
        UNION ALL
        SELECT g.first, 0, g.weight,
               CASE WHEN g.pregnancy THEN 0 ELSE g.weight END
        FROM segments g
        UNION ALL
        SELECT g.stop, 0, -g.weight,
               CASE WHEN g.pregnancy THEN 0 ELSE -g.weight END
        FROM segments g
    ),
    per_day AS (
        SELECT day, SUM(employed) AS employed, SUM(sick) AS sick,
               SUM(sick_excl) AS sick_excl
        FROM steps GROUP BY day
    ),
    boundaries AS (
        SELECT {greatest("m.day", start)} AS day
        FROM {month_starts(start, last_day)}
        UNION ALL
        SELECT {plus_days(last_day, 1)}
    ),
    before AS (
        SELECT b.day,
               COALESCE(SUM(d.employed * ({elapsed})), 0) AS employed,
               COALESCE(SUM(d.sick * ({elapsed})), 0) AS sick,
               COALESCE(SUM(d.sick_excl * ({elapsed})), 0) AS sick_excl
        FROM boundaries b LEFT JOIN per_day d ON d.day < b.day
        GROUP BY b.day
    ),
    months AS (
        SELECT {month_start("day")} AS month,
               LEAD(employed) OVER w - employed AS employed,
               LEAD(sick) OVER w - sick AS sick,
               LEAD(sick_excl) OVER w - sick_excl AS sick_excl
        FROM before
        WINDOW w AS (ORDER BY day)
    )
    SELECT month, employed, sick, sick_excl FROM months
    WHERE employed IS NOT NULL
    ORDER BY month
    """  # noqa: S608 - module constants; values are parameters
    return _fetch_all(sql, _params(scope, period.start, last))


def meldingsfrequentie(
    scope: Scope, period: Period, *, as_of: dt.date
) -> Meldingsfrequentie:
    """Ziekmeldingen per average employee in the counted days, and per year."""
    last = _last_counted_day(period, as_of)
    if last is None:
        return Meldingsfrequentie(0, Decimal(0), None, None)
    sql = f"""
    WITH {_population(scope)}
    SELECT
        (SELECT COALESCE(SUM({days_between("p.stop", "p.first")}), 0)
         FROM population p),
        (SELECT COUNT(*) FROM cases_absencecase c
         JOIN population p ON p.id = c.employee_id
         WHERE c.first_sick_day >= p.first AND c.first_sick_day < p.stop)
    """  # noqa: S608 - module constants; values are parameters
    employment_days, reports = _fetch_one(sql, _params(scope, period.start, last))
    counted_days = (last - period.start).days + 1
    headcount = Decimal(employment_days) / counted_days
    frequency = _ratio(reports, headcount)
    if period.is_closed(as_of):
        factor = period.annualisation
    else:
        factor = Decimal(365) / Decimal(counted_days)
    return Meldingsfrequentie(
        reports=reports,
        average_headcount=_round(headcount, _FOUR),
        frequency=_round(frequency, _FOUR),
        annualised=None if frequency is None else _round(frequency * factor, _FOUR),
    )


def verzuimduur(scope: Scope, period: Period, *, as_of: dt.date) -> Verzuimduur:
    """Mean length and duration classes of the cases ended in the counted
    days."""
    last = _last_counted_day(period, as_of)
    classes = list(DurationClass)
    if last is None:
        counts: tuple[Any, ...] = (0, 0, *([0] * len(classes)))
    else:
        params = _params(scope, period.start, last)
        params["max_days"] = MAX_CASE_DAYS
        filters = []
        for index, duration_class in enumerate(classes):
            params[f"low{index}"], params[f"high{index}"] = duration_class.bounds
            filters.append(
                f"COUNT(*) FILTER (WHERE d.days BETWEEN %(low{index})s"
                f" AND %(high{index})s)"
            )
        days = least(
            days_between("c.recovery_date", "c.first_sick_day"), "%(max_days)s"
        )
        sql = f"""
        SELECT COUNT(*), COALESCE(SUM(d.days), 0), {", ".join(filters)}
        FROM (
            SELECT {days} AS days
            FROM cases_absencecase c
            JOIN cases_employee e ON e.id = c.employee_id
            WHERE {_in_scope("e", scope)}
              AND c.recovery_date BETWEEN %(start)s AND %(last)s
        ) AS d
        """  # noqa: S608 - module constants; values are parameters
        counts = _fetch_one(sql, params)
    ended, total, *per_class = counts
    return Verzuimduur(
        ended_cases=ended,
        total_days=total,
        mean_days=_round(_ratio(total, ended), _TWO),
        classes=tuple(
            DurationClassCount(
                duration_class=duration_class,
                cases=count,
                share=_round(None if not ended else Decimal(100 * count) / ended, _TWO),
            )
            for duration_class, count in zip(classes, per_class, strict=True)
        ),
    )


def nulverzuim(scope: Scope, period: Period, *, as_of: dt.date) -> Nulverzuim:
    """Share of the employees employed in the counted days without a
    ziekmelding in them."""
    last = _last_counted_day(period, as_of)
    if last is None:
        return Nulverzuim(0, 0, None)
    sql = f"""
    WITH {_population(scope)}
    SELECT COUNT(*),
           COUNT(*) FILTER (WHERE NOT EXISTS (
               SELECT 1 FROM cases_absencecase c
               WHERE c.employee_id = p.id
                 AND c.first_sick_day BETWEEN %(start)s AND %(last)s
           ))
    FROM population p
    """  # noqa: S608 - module constants; values are parameters
    employees, without = _fetch_one(sql, _params(scope, period.start, last))
    ratio = _ratio(100 * without, employees)
    return Nulverzuim(
        employees=employees, without_report=without, percentage=_round(ratio, _TWO)
    )


def twelve_months_ending(day: dt.date) -> dt.date:
    """The first day of the 12 months that end on ``day``."""
    try:
        year_before = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        year_before = day.replace(year=day.year - 1, day=28)
    return year_before + dt.timedelta(days=1)


def frequent_absence(
    scope: Scope, period: Period, *, as_of: dt.date
) -> FrequentAbsence:
    """How many employees have 3 or more ziekmeldingen in the 12 months
    ending on the last counted day (``period.until(as_of)``)."""
    window_end = period.until(as_of)
    window_start = twelve_months_ending(window_end)
    sql = f"""
    SELECT COUNT(*) FROM (
        SELECT c.employee_id
        FROM cases_absencecase c
        JOIN cases_employee e ON e.id = c.employee_id
        WHERE {_in_scope("e", scope)}
          AND c.first_sick_day BETWEEN %(start)s AND %(last)s
        GROUP BY c.employee_id
        HAVING COUNT(*) >= %(reports)s
    ) AS frequent
    """  # noqa: S608 - module constants; values are parameters
    params = _params(scope, window_start, window_end)
    params["reports"] = FREQUENT_ABSENCE_REPORTS
    (employees,) = _fetch_one(sql, params)
    return FrequentAbsence(
        employees=employees, window_start=window_start, window_end=window_end
    )


def dashboard_compute(scope: Scope, period: Period, *, as_of: dt.date) -> Dashboard:
    """Every figure of ``scope`` over ``period``, computed now."""
    from analytics.compliance import compliance

    # The VP and the trend share one query: the VP is the sum of its months.
    months = _monthly_sums(scope, period, as_of=as_of)
    return Dashboard(
        scope_label=scope.label,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        as_of=as_of,
        computed_at=timezone.now(),
        verzuimpercentage=_verzuimpercentage_of_months(months),
        trend=_trend(months),
        meldingsfrequentie=meldingsfrequentie(scope, period, as_of=as_of),
        verzuimduur=verzuimduur(scope, period, as_of=as_of),
        nulverzuim=nulverzuim(scope, period, as_of=as_of),
        frequent_absence=frequent_absence(scope, period, as_of=as_of),
        compliance=compliance(scope, period, as_of=as_of),
    )


def is_snapshotted(period: Period, *, as_of: dt.date) -> bool:
    """Whether ``period``'s figures are kept in a FigureSnapshot: a closed
    month, quarter or year (a running or custom period is computed live)."""
    return period.kind != PeriodKind.CUSTOM and period.is_closed(as_of)


def dashboard(scope: Scope, period: Period, *, as_of: dt.date) -> Dashboard:
    """The dashboard of ``scope`` over ``period``. A closed month, quarter
    or year comes from its FigureSnapshot, which is computed and stored the
    first time it is asked for; anything else is computed live."""
    from analytics.models import FigureSnapshot
    from analytics.serialization import dashboard_from_json
    from analytics.services import snapshot_store

    if not is_snapshotted(period, as_of=as_of):
        return dashboard_compute(scope, period, as_of=as_of)
    stored = (
        FigureSnapshot.objects.filter(
            employer=scope.employer,
            department=scope.department,
            period_start=period.start,
            period_end=period.end,
        )
        .values_list("data", flat=True)
        .first()
    )
    if stored is not None:
        try:
            return dashboard_from_json(stored)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            pass  # stored by an older version of the figures: compute again
    figures = dashboard_compute(scope, period, as_of=as_of)
    snapshot_store(
        scope=scope, period=period, figures=figures, replace=stored is not None
    )
    return figures
