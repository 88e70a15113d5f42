"""Statistics benchmark (issue 9): every dashboard figure of an employer of
100,000 employees with three years of history, next to its floor.

    make bench                                     # part of it
    .venv/bin/python bench/absence_statistics.py   # reuses the generated data
    .venv/bin/python bench/absence_statistics.py --rebuild
    .venv/bin/python bench/absence_statistics.py --explain verzuimpercentage

Uses its own PostgreSQL database (``hervat_bench_statistics`` next to
DATABASE_URL's), filled with set-based SQL (``INSERT ... SELECT
generate_series``) by the database owner, and kept between runs while
``GENERATOR_VERSION`` is unchanged. The figures are measured as the
application runs: as a role without BYPASSRLS, inside the tenant scope.

Each figure selector runs for the last full year, a quarter, a month and one
department over the year: the median and the maximum of 5 runs after one
warm-up. Its floor is the plainest SQL aggregate that gives the same number
on this data; the bench exits non-zero when a selector and its floor
disagree, or when a figure takes more than ``TARGET_SECONDS`` (the target of
issue 9). See docs/bench/statistics.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import _bench_database_url, _setup_django, report  # noqa: E402

DATABASE = "hervat_bench_statistics"
# Bump when the generated data changes: the next run rebuilds the database.
GENERATOR_VERSION = "1"
TENANT_SLUG = "bench-statistics"
EMPLOYER_NAME = "Groot Verzuim B.V."
FULLTIME_HOURS = 38
# 115,000 people over the three years: 100,000 employed at the end, the
# rest left during it (fixed: the reused data is only checked by version).
EMPLOYEES = 115_000
HISTORY_START = dt.date(2023, 1, 1)
AS_OF = dt.date(2026, 1, 15)  # "today": a fortnight after the three years
DEPARTMENTS = 20
DEPARTMENT = "Afdeling 07"  # the department measured on its own
RUNS = 5
# PostgreSQL's JIT as the server has it ("" keeps the server's setting), or
# "off"/"on" for this bench's connection: see docs/bench/statistics.md.
JIT = os.environ.get("BENCH_STATISTICS_JIT", "")
TARGET_SECONDS = 2.0
ARTIFACT = ROOT / ".artifacts" / "bench" / "statistics.json"

# --- the data ------------------------------------------------------------------------


def _admin_url() -> str:
    return urlunparse(
        urlparse(_bench_database_url(DATABASE))._replace(path="/postgres")
    )


def _generated_version() -> str | None:
    """The generator version the bench database was filled by, or None."""
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone():
            return None
    with psycopg.connect(_bench_database_url(DATABASE), autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass('bench_generator')").fetchone()[0]:
            return None
        row = conn.execute("SELECT version FROM bench_generator").fetchone()
    return row[0] if row else None


def _drop_database() -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


EMPLOYEES_SQL = """
INSERT INTO cases_employee (tenant_id, employer_id, personnel_number, initials,
    first_name, surname_prefix, surname, birth_name, bsn, email, phone,
    preferred_language, job_title, job_description, contract_hours, department,
    employment_start, employment_end, vangnet_category)
SELECT %(tenant)s, %(employer)s, 'S' || lpad(i::text, 6, '0'), 'A.', '', '',
    'Werknemer ' || i, '', '', '', '', 'nl', '', '',
    -- four in ten part-time, 16-36 hours
    CASE WHEN part_time < 0.4 THEN 16 + floor(hours * 21) ELSE %(fulltime)s END,
    'Afdeling ' || lpad((1 + floor(%(departments)s * power(dept, 1.4)))::text, 2, '0'),
    start,
    -- about one in eight leaves during the three years, after 30 days or more
    CASE WHEN leaves < 0.13 AND %(as_of)s::date - GREATEST(start, %(history)s) > 90
        THEN GREATEST(start, %(history)s) + (30 + floor(
            stay * (%(as_of)s::date - GREATEST(start, %(history)s) - 60)))::int
    END,
    ''
FROM (
    SELECT i, part_time, hours, dept, leaves, stay,
        CASE WHEN hired < 0.765
            THEN %(history)s::date - (30 + floor(since * 8000))::int  -- there before
            ELSE %(history)s::date + floor(since * (%(as_of)s::date - %(history)s))::int
        END AS start
    FROM (
        SELECT i, random() AS part_time, random() AS hours, random() AS dept,
            random() AS hired, random() AS since, random() AS leaves,
            random() AS stay
        FROM generate_series(1, %(employees)s) AS i
    ) AS draws
) AS people
"""

# Each employee's absence is a renewal process from the start of the history
# (or the hiring date): a healthy gap, then a case, up to 14 times. The rate
# differs per person (exponential, mean 1.1 ziekmeldingen a year, capped at
# 3.5), so some are never ill and a few often. One gap in 50 is forced to a
# relapse within 27 days (samentelling); short natural gaps add more. Lengths
# (hersteldatum - first sick day) follow Vernet's classes: 77 in 100 kort, 19
# middellang, 3.3 lang, 0.7 extra lang or longer.
CANDIDATES_SQL = """
CREATE TABLE bench_candidates AS
WITH people AS (
    SELECT id AS employee_id,
        GREATEST(employment_start, %(history)s) AS open_from,
        LEAST(COALESCE(employment_end, %(as_of)s), %(as_of)s) AS open_until,
        employment_end,
        LEAST(-ln(1 - random()) * 1.1, 3.5) AS rate
    FROM cases_employee WHERE employer_id = %(employer)s
), draws AS (
    SELECT p.*, j, random() AS relapse, random() AS gap_draw, random() AS class_draw,
        random() AS length_draw
    FROM people AS p, generate_series(1, 14) AS j
), slots AS (
    SELECT employee_id, open_from, open_until, employment_end, j,
        CASE WHEN relapse < 0.02 AND j > 1 THEN 1 + floor(gap_draw * 27)
            ELSE 1 + floor(-ln(1 - gap_draw) * 365 / GREATEST(rate, 0.05))
        END::int AS gap,
        CASE
            WHEN class_draw < 0.77 THEN 1 + floor(13 * power(length_draw, 2))
            WHEN class_draw < 0.96 THEN 15 + floor(77 * power(length_draw, 2))
            WHEN class_draw < 0.993 THEN 92 + floor(274 * power(length_draw, 1.6))
            ELSE 366 + floor(420 * length_draw)
        END::int AS length
    FROM draws
)
SELECT employee_id, j, open_until, employment_end, gap, length,
    open_from + (SUM(gap + length) OVER w - length)::int AS first_sick_day
FROM slots
WINDOW w AS (PARTITION BY employee_id ORDER BY j)
"""

CASES_SQL = """
INSERT INTO cases_absencecase (tenant_id, employee_id, first_sick_day,
    recovery_date, status, reported_at, route, expected_duration,
    accident_or_third_party, work_possible, agreements, vangnet_category,
    reachable_phone, reachable_address)
SELECT %(tenant)s, employee_id, first_sick_day,
    CASE WHEN recovery <= %(as_of)s THEN recovery END,
    CASE WHEN recovery <= %(as_of)s THEN 'recovered' ELSE 'open' END,
    first_sick_day + time '09:00', CASE WHEN length > 42 THEN 'regulier' ELSE '' END,
    'unknown', false, false, '',
    CASE WHEN pregnancy < 0.007 THEN 'ziek_door_zwangerschap_voor_verlof'
        WHEN pregnancy < 0.01 THEN 'ziek_door_bevalling_na_verlof' ELSE '' END,
    '', ''
FROM (
    -- a case ends at the latest the day after the employment (ziek uit dienst
    -- is left out: sick days stay inside the employment)
    SELECT *, LEAST(first_sick_day + length, employment_end + 1) AS recovery,
        random() AS pregnancy
    FROM bench_candidates
    WHERE first_sick_day <= open_until
) AS kept
ORDER BY employee_id, first_sick_day
"""

# A relapse within 27 fit days continues the period before (samentelling):
# cases.services.ziekmelding_create links it the same way.
RELAPSES_SQL = """
UPDATE cases_absencecase AS c SET previous_case_id = p.previous_id
FROM (
    SELECT id, first_sick_day,
        LAG(id) OVER w AS previous_id, LAG(recovery_date) OVER w AS previous_recovery
    FROM cases_absencecase WHERE tenant_id = %(tenant)s
    WINDOW w AS (PARTITION BY employee_id ORDER BY first_sick_day)
) AS p
WHERE c.id = p.id AND p.first_sick_day - p.previous_recovery <= 27
"""

# Every case starts 100 percent unfit and a recovered one ends at 0, as the
# ziekmelding and hersteldmelding services record them; of the cases of a
# week or longer, 42 in 100 go through a partial recovery (20-60 percent
# unfit) at 30-70 percent of their length, and those of 60 days or more
# halve it again at 85 percent.
WORKABILITY_SQL = """
WITH cases AS (
    SELECT id, first_sick_day, recovery_date,
        COALESCE(recovery_date, %(as_of)s::date + 1) - first_sick_day AS length,
        random() AS partial, random() AS at_draw, random() AS level
    FROM cases_absencecase WHERE tenant_id = %(tenant)s
), changes AS (
    SELECT id, first_sick_day AS day, 100 AS unfit FROM cases
    UNION ALL
    SELECT id, recovery_date, 0 FROM cases WHERE recovery_date IS NOT NULL
    UNION ALL
    SELECT id, first_sick_day + floor(length * (0.3 + 0.4 * at_draw))::int,
        20 + 20 * floor(level * 3)::int
    FROM cases WHERE length >= 7 AND partial < 0.42
    UNION ALL
    SELECT id, first_sick_day + floor(length * 0.85)::int,
        (20 + 20 * floor(level * 3)::int) / 2
    FROM cases WHERE length >= 60 AND partial < 0.42
)
INSERT INTO cases_workabilitychange (tenant_id, case_id, effective_date,
    percentage_unfit, recorded_at)
SELECT %(tenant)s, id, day, unfit, day + time '10:00' FROM changes
ORDER BY id, day
"""

# The Poortwachter state the refresh (poortwachter.services.refresh) keeps, in
# its shape: per chain (a first case and its samentelling relapses) a
# CaseTimeline, a Deadline for every milestone (lapsed, ``applies`` false,
# when due on or after the hersteldatum or after the employment), and a legal
# task per milestone with a task: not applicable when lapsed, else 80 in 100
# done on time, 12 late, the rest not done. Simplification: the dates count
# from the chain's first sick day and ignore the fit days between its cases.
CHAINS_SQL = """
CREATE TABLE bench_chains AS
SELECT root_id, MIN(first_sick_day) AS first_sick_day,
    CASE WHEN bool_and(recovery_date IS NOT NULL) THEN MAX(recovery_date) END
        AS closed_on,
    MAX(employment_end) AS employment_end
FROM (
    SELECT id, first_sick_day, recovery_date, employment_end,
        FIRST_VALUE(id) OVER (PARTITION BY employee_id, chain ORDER BY first_sick_day)
            AS root_id
    FROM (
        SELECT c.id, c.employee_id, c.first_sick_day, c.recovery_date,
            e.employment_end,
            COUNT(*) FILTER (WHERE c.previous_case_id IS NULL) OVER (
                PARTITION BY c.employee_id ORDER BY c.first_sick_day
            ) AS chain
        FROM cases_absencecase AS c
        JOIN cases_employee AS e ON e.id = c.employee_id
        WHERE c.tenant_id = %(tenant)s
    ) AS numbered
) AS rooted
GROUP BY root_id
"""
TIMELINES_SQL = """
INSERT INTO poortwachter_casetimeline (tenant_id, case_id, outcome,
    counted_first_sick_day, days_excluded, closed_on, is_open, rules_version,
    error, stale, refreshed_at)
SELECT %(tenant)s, root_id, '', first_sick_day, 0, closed_on,
    closed_on IS NULL AND COALESCE(employment_end, %(as_of)s) >= %(as_of)s,
    %(rules_version)s, '', false, now()
FROM bench_chains
"""
MILESTONES_SQL = """
CREATE TABLE bench_milestones AS
SELECT root_id AS case_id, m.code, m.role, m.creates_task,
    first_sick_day + m.sick_day - 1 AS due,
    (closed_on IS NULL OR first_sick_day + m.sick_day - 1 < closed_on)
        AND (employment_end IS NULL
            OR first_sick_day + m.sick_day - 1 <= employment_end) AS applies,
    random() AS done_draw, random() AS late_draw
FROM bench_chains JOIN (VALUES {milestones}) AS m (code, sick_day, role, creates_task)
    ON true
"""
DEADLINE_ROWS_SQL = """
INSERT INTO poortwachter_deadline (tenant_id, case_id, milestone, due_date,
    opens_on, plan_by, applies, rules_version, computed_at)
SELECT %(tenant)s, case_id, code, due, NULL, due - 14, applies, %(rules_version)s,
    now()
FROM bench_milestones
ORDER BY case_id
"""
TASK_ROWS_SQL = """
INSERT INTO poortwachter_task (tenant_id, case_id, source, key, round, title,
    assignee_role, due_date, plan_by, status, completed_at, note, snooze_reason,
    created_at)
SELECT %(tenant)s, case_id, 'legal', code, 0, code, role, due, due - 14,
    CASE WHEN NOT applies THEN 'not_applicable'
        WHEN done_on <= %(as_of)s THEN 'done' ELSE 'open' END,
    CASE WHEN applies AND done_on <= %(as_of)s THEN done_on + time '12:00' END,
    '', '', now()
FROM (
    SELECT *,
        CASE
            WHEN done_draw < 0.80 THEN due - floor(late_draw * 10)::int
            WHEN done_draw < 0.92 THEN due + 1 + floor(late_draw * 20)::int
        END AS done_on
    FROM bench_milestones
    WHERE creates_task
) AS dated
ORDER BY case_id
"""


def _generate() -> None:
    """Fill the bench database: one tenant, one employer, its people, cases,
    workability changes, deadlines and tasks. Runs as the database owner."""
    from django.db import connection, transaction

    from accounts.models import Tenant
    from accounts.scoping import tenant_scope
    from cases.models import Employer
    from poortwachter.rules import MILESTONES
    from poortwachter.rules.timeline import RULES_VERSION

    started = time.perf_counter()
    tenant = Tenant.objects.create(slug=TENANT_SLUG, name="Bench statistiek")
    with tenant_scope(tenant):
        employer = Employer.objects.create(
            tenant=tenant, name=EMPLOYER_NAME, fulltime_hours=FULLTIME_HOURS
        )
    params = {
        "tenant": tenant.pk,
        "employer": employer.pk,
        "employees": EMPLOYEES,
        "fulltime": FULLTIME_HOURS,
        "departments": DEPARTMENTS,
        "history": HISTORY_START,
        "as_of": AS_OF,
        "rules_version": RULES_VERSION,
    }
    milestones = ", ".join(
        f"('{m.code}', {m.sick_day}, '{m.role}', {str(m.creates_task).lower()})"
        for m in MILESTONES
    )
    steps = [
        ("employees", EMPLOYEES_SQL),
        ("case candidates", CANDIDATES_SQL),
        ("cases", CASES_SQL),
        ("samentelling links", RELAPSES_SQL),
        ("workability changes", WORKABILITY_SQL),
        ("chains", CHAINS_SQL),
        ("case timelines", TIMELINES_SQL),
        ("milestones", MILESTONES_SQL.format(milestones=milestones)),
        ("deadlines", DEADLINE_ROWS_SQL),
        ("legal tasks", TASK_ROWS_SQL),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # One process and a fixed seed: the same data on every build.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT setseed(0.42)")
        for label, sql in steps:
            start = time.perf_counter()
            cursor.execute(sql, params)
            report(
                f"  generate {label}",
                f"{cursor.rowcount:,} rows",
                f"{time.perf_counter() - start:.1f} s",
            )
        cursor.execute("DROP TABLE bench_candidates, bench_chains, bench_milestones")
        cursor.execute("CREATE TABLE bench_generator (version text, built_at date)")
        cursor.execute(
            "INSERT INTO bench_generator VALUES (%s, now())", [GENERATOR_VERSION]
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    report(
        "generate: data (set-based SQL) and VACUUM ANALYZE",
        f"{time.perf_counter() - started:,.1f} s",
        f"generator version {GENERATOR_VERSION}",
    )


def _prepare(rebuild: bool) -> None:
    """Set Django up on the bench database, generating the data when it is
    missing, made by another generator version, or ``rebuild`` is asked."""
    version = _generated_version()
    fresh = rebuild or version != GENERATOR_VERSION
    if fresh:
        _drop_database()
    _setup_django(DATABASE)  # creates and migrates the database
    if fresh:
        _generate()
    else:
        report("generate: reused the database", DATABASE, f"version {version}")
    from django.db import connection

    from tests.fixtures import APP_ROLE, APP_ROLE_PASSWORD, _connect_as, _grant_app_role

    with connection.cursor() as cursor:
        # New migrations may have added tables since the last grant.
        _grant_app_role(cursor, DATABASE)
    _connect_as(APP_ROLE, APP_ROLE_PASSWORD)
    with connection.cursor() as cursor:
        if JIT:
            cursor.execute("SELECT set_config('jit', %s, false)", [JIT])
        cursor.execute("SHOW jit")
        report("PostgreSQL jit", cursor.fetchone()[0], "BENCH_STATISTICS_JIT")


# --- the floors ----------------------------------------------------------------------
# The plainest SQL aggregate that gives each figure on this data. Parameters:
# employer, start, last (the last counted day), pregnancy; ``{department}``
# is replaced by a condition on ``e.department`` or nothing.

EMPLOYMENT_CTE = """
emp AS (
    SELECT e.id, LEAST(COALESCE(e.contract_hours / w.fulltime_hours, 1), 1) AS ptf,
        GREATEST(e.employment_start, %(start)s) AS lo,
        LEAST(COALESCE(e.employment_end, %(last)s), %(last)s) AS hi
    FROM cases_employee AS e JOIN cases_employer AS w ON w.id = e.employer_id
    WHERE e.employer_id = %(employer)s {department}
)"""
# Each workability change holds until the next one (or the hersteldatum),
# clipped to the employment in the counted days.
STRETCHES_CTE = """
stretch AS (
    SELECT emp.ptf, ch.percentage_unfit / 100.0 AS ao,
        c.vangnet_category = ANY(%(pregnancy)s) AS pregnancy,
        GREATEST(ch.effective_date, emp.lo) AS lo,
        LEAST(COALESCE(LEAD(ch.effective_date) OVER (
            PARTITION BY ch.case_id ORDER BY ch.effective_date
        ), c.recovery_date) - 1, emp.hi) AS hi
    FROM cases_absencecase AS c
    JOIN emp ON emp.id = c.employee_id
    JOIN cases_workabilitychange AS ch ON ch.case_id = c.id
    WHERE c.first_sick_day <= %(last)s
        AND (c.recovery_date IS NULL OR c.recovery_date > %(start)s)
)"""
FLOORS = {
    "verzuimpercentage": f"""
        WITH {EMPLOYMENT_CTE}, {STRETCHES_CTE}
        SELECT (SELECT SUM((hi - lo + 1) * ptf) FROM emp WHERE hi >= lo),
            SUM((hi - lo + 1) * ptf * ao) FILTER (WHERE hi >= lo),
            SUM((hi - lo + 1) * ptf * ao) FILTER (WHERE hi >= lo AND NOT pregnancy)
        FROM stretch
    """,
    "verzuimpercentage_by_month": f"""
        WITH {EMPLOYMENT_CTE}, {STRETCHES_CTE},
        month AS (
            SELECT m::date AS first,
                GREATEST(m::date, %(start)s) AS lo,
                LEAST((m + interval '1 month')::date - 1, %(last)s) AS hi
            FROM generate_series(%(start)s::date, %(last)s::date, interval '1 month')
                AS m
        ),
        employment AS (
            SELECT month.first,
                SUM((LEAST(emp.hi, month.hi) - GREATEST(emp.lo, month.lo) + 1) * ptf)
                    AS days
            FROM emp JOIN month ON emp.lo <= month.hi AND emp.hi >= month.lo
            WHERE emp.hi >= emp.lo
            GROUP BY month.first
        ),
        sickness AS (
            SELECT month.first,
                SUM((LEAST(s.hi, month.hi) - GREATEST(s.lo, month.lo) + 1) * ptf * ao)
                    AS days,
                SUM((LEAST(s.hi, month.hi) - GREATEST(s.lo, month.lo) + 1) * ptf * ao)
                    FILTER (WHERE NOT pregnancy) AS days_excl
            FROM stretch AS s JOIN month ON s.lo <= month.hi AND s.hi >= month.lo
            WHERE s.hi >= s.lo
            GROUP BY month.first
        )
        SELECT month.first, employment.days, sickness.days, sickness.days_excl
        FROM month
        LEFT JOIN employment ON employment.first = month.first
        LEFT JOIN sickness ON sickness.first = month.first
        ORDER BY month.first
    """,
    "meldingsfrequentie": f"""
        WITH {EMPLOYMENT_CTE}
        SELECT (SELECT COUNT(*) FROM cases_absencecase AS c JOIN emp
                ON emp.id = c.employee_id
                WHERE c.first_sick_day BETWEEN %(start)s AND %(last)s),
            (SELECT SUM(hi - lo + 1) FROM emp WHERE hi >= lo)
    """,
    "verzuimduur": """
        SELECT COUNT(*), SUM(LEAST(c.recovery_date - c.first_sick_day, 730)),
            COUNT(*) FILTER (WHERE c.recovery_date - c.first_sick_day <= 14),
            COUNT(*) FILTER (
                WHERE c.recovery_date - c.first_sick_day BETWEEN 15 AND 91),
            COUNT(*) FILTER (
                WHERE c.recovery_date - c.first_sick_day BETWEEN 92 AND 365),
            COUNT(*) FILTER (WHERE c.recovery_date - c.first_sick_day > 365)
        FROM cases_absencecase AS c JOIN cases_employee AS e ON e.id = c.employee_id
        WHERE e.employer_id = %(employer)s {department}
            AND c.recovery_date BETWEEN %(start)s AND %(last)s
    """,
    "nulverzuim": f"""
        WITH {EMPLOYMENT_CTE}
        SELECT COUNT(*), COUNT(*) - (
            SELECT COUNT(DISTINCT c.employee_id) FROM cases_absencecase AS c
            JOIN emp AS ill ON ill.id = c.employee_id AND ill.hi >= ill.lo
            WHERE c.first_sick_day BETWEEN %(start)s AND %(last)s)
        FROM emp WHERE hi >= lo
    """,
    "frequent_absence": """
        SELECT COUNT(*) FROM (
            SELECT c.employee_id FROM cases_absencecase AS c
            JOIN cases_employee AS e ON e.id = c.employee_id
            WHERE e.employer_id = %(employer)s {department}
                AND c.first_sick_day BETWEEN %(window_start)s AND %(window_end)s
            GROUP BY c.employee_id HAVING COUNT(*) >= 3
        ) AS frequent
    """,
    # Without the re-integratieverslag check (Python over documents), which
    # has no SQL floor: compared are the counts, overdue and open long cases.
    "compliance": """
        WITH step AS (
            SELECT d.case_id, d.milestone, d.due_date,
                CASE WHEN t.completed_at::date <= %(as_of)s
                    THEN t.completed_at::date END AS done_on
            FROM poortwachter_deadline AS d
            LEFT JOIN poortwachter_task AS t ON t.case_id = d.case_id
                AND t.source = 'legal' AND t.key = d.milestone AND t.round = 0
                AND t.status = 'done'
            JOIN cases_absencecase AS c ON c.id = d.case_id
            JOIN cases_employee AS e ON e.id = c.employee_id
            WHERE e.employer_id = %(employer)s {department} AND d.applies
                AND d.milestone = ANY(%(milestones)s)
        )
        SELECT milestone,
            COUNT(*) FILTER (WHERE due_date BETWEEN %(start)s AND %(last)s
                AND done_on <= due_date),
            COUNT(*) FILTER (WHERE due_date BETWEEN %(start)s AND %(last)s
                AND done_on > due_date),
            COUNT(*) FILTER (WHERE due_date BETWEEN %(start)s AND %(last)s
                AND done_on IS NULL AND due_date < %(as_of)s),
            COUNT(*) FILTER (WHERE due_date < %(as_of)s AND done_on IS NULL
                AND EXISTS (SELECT 1 FROM poortwachter_casetimeline AS tl
                    WHERE tl.case_id = step.case_id AND tl.is_open)),
            COUNT(*) FILTER (WHERE milestone = 'uwv_42_week_melding'
                AND due_date < %(as_of)s
                AND EXISTS (SELECT 1 FROM poortwachter_casetimeline AS tl
                    WHERE tl.case_id = step.case_id AND tl.is_open))
        FROM step GROUP BY milestone
    """,
    "dashboard (warm)": """
        SELECT data FROM analytics_figuresnapshot
        WHERE employer_id = %(employer)s AND department = %(department_name)s
            AND period_start = %(start)s AND period_end = %(period_end)s
    """,
}


# --- selector against floor -----------------------------------------------------------


def _close(a: Any, b: Any, places: str) -> bool:
    """Whether two numbers agree to the selectors' rounding: counts exactly,
    decimals within one unit of their last place (the floor's exact sums may
    round the other way at a boundary)."""
    from decimal import ROUND_HALF_UP

    if a is None or b is None:
        return a is None and b is None
    step = Decimal(places)
    return abs(
        Decimal(a).quantize(step, ROUND_HALF_UP)
        - Decimal(b).quantize(step, ROUND_HALF_UP)
    ) <= (step if step < 1 else 0)


def _percentage(numerator: Any, denominator: Any) -> Decimal | None:
    if not denominator:
        return None
    return 100 * Decimal(numerator or 0) / Decimal(denominator)


def _agree(figure: str, result: Any, rows: list[tuple]) -> list[str]:
    """The differences between a selector's result and its floor's rows."""
    four, two = "0.0001", "0.01"
    checks: list[tuple[str, Any, Any, str]] = []
    if figure == "verzuimpercentage":
        employment, sick, sick_excl = rows[0]
        checks = [
            ("employment_days", result.employment_days, employment, four),
            ("sick_days", result.sick_days, sick or 0, four),
            ("sick_days_excl", result.sick_days_excl_pregnancy, sick_excl or 0, four),
            ("percentage", result.percentage, _percentage(sick, employment), two),
        ]
    elif figure == "verzuimpercentage_by_month":
        if len(result) != len(rows):
            return [f"{len(result)} months, floor {len(rows)}"]
        for month, (first, employment, sick, sick_excl) in zip(
            result, rows, strict=True
        ):
            checks += [
                (f"{first} month", month.month, first, "1"),
                (f"{first}", month.percentage, _percentage(sick, employment), two),
                (
                    f"{first} excl",
                    month.percentage_excl_pregnancy,
                    _percentage(sick_excl, employment),
                    two,
                ),
            ]
        checks = [c for c in checks if not c[0].endswith(" month")] + [
            (label, 0, 0 if a == b else 1, "1")
            for label, a, b, _ in checks
            if label.endswith(" month")
        ]
    elif figure == "meldingsfrequentie":
        reports, employment_days = rows[0]
        checks = [
            ("reports", result.reports, reports, "1"),
            (
                "average_headcount",
                result.average_headcount,
                Decimal(employment_days) / _DAYS[0],
                four,
            ),
        ]
    elif figure == "verzuimduur":
        ended, total, *classes = rows[0]
        checks = [
            ("ended_cases", result.ended_cases, ended, "1"),
            ("total_days", result.total_days, total or 0, "1"),
        ] + [
            (c.duration_class.value, c.cases, n, "1")
            for c, n in zip(result.classes, classes, strict=True)
        ]
    elif figure == "nulverzuim":
        employees, without = rows[0]
        checks = [
            ("employees", result.employees, employees, "1"),
            ("without_report", result.without_report, without, "1"),
        ]
    elif figure == "frequent_absence":
        checks = [("employees", result.employees, rows[0][0], "1")]
    elif figure == "compliance":
        by_code = {row[0]: row[1:] for row in rows}
        for m in result.milestones:
            on_time, late, missed, _, _ = by_code.get(m.milestone, (0,) * 5)
            checks += [
                (f"{m.milestone} on_time", m.on_time, on_time, "1"),
                (f"{m.milestone} late", m.late, late, "1"),
                (f"{m.milestone} missed", m.missed, missed, "1"),
            ]
        checks += [
            (
                "overdue_now",
                result.overdue_now,
                sum(r[3] for r in by_code.values()),
                "1",
            ),
            (
                "open_long_cases",
                result.open_long_cases,
                sum(r[4] for r in by_code.values()),
                "1",
            ),
        ]
    return [
        f"{label}: selector {a}, floor {b}"
        for label, a, b, places in checks
        if not _close(a, b, places)
    ]


# The counted days of the case being measured (meldingsfrequentie's headcount).
_DAYS: list[int] = [0]


def _timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Median and maximum seconds of RUNS runs after one warm-up, and the
    last result."""
    result = work()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def _floor_runner(sql: str, params: dict[str, Any]) -> Callable[[], list[tuple]]:
    """The floor runs as the SQL selectors run theirs: JIT off for the
    transaction (analytics.selectors._fetch_all), so the ratio compares the
    queries, not the JIT's compile time."""
    from django.db import connection, transaction

    def run() -> list[tuple]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _cases(employer: Any) -> list[tuple[str, Any, Any]]:
    from analytics.periods import Period, Scope

    whole = Scope(employer)
    return [
        ("year 2025", whole, Period.year(2025)),
        ("Q4 2025", whole, Period.quarter(2025, 4)),
        ("month 2025-11", whole, Period.month(2025, 11)),
        (f"{DEPARTMENT}, year 2025", Scope(employer, DEPARTMENT), Period.year(2025)),
    ]


def measure() -> dict[str, Any]:
    from django.db import connection

    from accounts.models import Tenant
    from accounts.scoping import tenant_scope
    from analytics import selectors
    from analytics.compliance import COMPLIANCE_MILESTONES, compliance
    from analytics.models import FigureSnapshot
    from cases.models import Employer

    figures: dict[str, Callable[..., Any]] = {
        "verzuimpercentage": selectors.verzuimpercentage,
        "verzuimpercentage_by_month": selectors.verzuimpercentage_by_month,
        "meldingsfrequentie": selectors.meldingsfrequentie,
        "verzuimduur": selectors.verzuimduur,
        "nulverzuim": selectors.nulverzuim,
        "frequent_absence": selectors.frequent_absence,
        "compliance": compliance,
    }
    tenant = Tenant.objects.get(slug=TENANT_SLUG)
    results: list[dict[str, Any]] = []
    values: dict[str, dict[str, str]] = {}
    with tenant_scope(tenant):
        employer = Employer.objects.get(name=EMPLOYER_NAME)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT COUNT(*) FROM cases_employee), "
                "(SELECT COUNT(*) FROM cases_absencecase), "
                "(SELECT COUNT(*) FROM cases_workabilitychange), "
                "(SELECT COUNT(*) FROM poortwachter_deadline), "
                "(SELECT COUNT(*) FROM poortwachter_task)"
            )
            counts = dict(
                zip(
                    ("employees", "cases", "workability_changes", "deadlines", "tasks"),
                    cursor.fetchone(),
                    strict=True,
                )
            )
        print(
            "Rows (as the app role, in the tenant scope): "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
        for label, scope, period in _cases(employer):
            last = period.until(AS_OF)
            _DAYS[0] = (last - period.start).days + 1
            window_end = last
            window_start = selectors.twelve_months_ending(window_end)
            params = {
                "employer": employer.pk,
                "start": period.start,
                "last": last,
                "period_end": period.end,
                "as_of": AS_OF,
                "pregnancy": list(selectors.PREGNANCY_CATEGORIES),
                "milestones": list(COMPLIANCE_MILESTONES),
                "window_start": window_start,
                "window_end": window_end,
                "department_name": scope.department,
            }
            department = "AND e.department = %(department)s" if scope.department else ""
            params["department"] = scope.department
            print(f"\n{label}: {period.start} .. {last}")
            values[label] = {}
            total_floor = 0.0
            for figure, selector in figures.items():
                sql = FLOORS[figure].replace("{department}", department)
                floor_median, _, rows = _timed(_floor_runner(sql, params))
                median, slowest, result = _timed(
                    lambda selector=selector, scope=scope, period=period: selector(
                        scope, period, as_of=AS_OF
                    )
                )
                total_floor += floor_median
                differences = _agree(figure, result, rows)
                results.append(
                    _record(figure, label, median, slowest, floor_median, differences)
                )
                values[label][figure] = _value(figure, result)
            print(
                "  values: " + ", ".join(f"{k} {v}" for k, v in values[label].items())
            )
            # The dashboard: cold (no snapshot; the selectors, then the
            # snapshot stored) and warm (read from the snapshot).
            snapshot = FigureSnapshot.objects.filter(
                employer=employer,
                department=scope.department,
                period_start=period.start,
                period_end=period.end,
            )

            def cold(
                scope: Any = scope, period: Any = period, snapshot: Any = snapshot
            ) -> Any:
                snapshot.delete()
                return selectors.dashboard(scope, period, as_of=AS_OF)

            median, slowest, _ = _timed(cold)
            results.append(
                _record(
                    "dashboard (cold)",
                    label,
                    median,
                    slowest,
                    total_floor,
                    [],
                    targeted=False,
                )
            )
            sql = FLOORS["dashboard (warm)"]
            floor_median, _, rows = _timed(_floor_runner(sql, params))
            median, slowest, warm = _timed(
                lambda scope=scope, period=period: selectors.dashboard(
                    scope, period, as_of=AS_OF
                )
            )
            differences = [] if rows else ["no snapshot stored"]
            if warm.verzuimpercentage.percentage is None:
                differences.append("warm dashboard without a verzuimpercentage")
            results.append(
                _record(
                    "dashboard (warm)",
                    label,
                    median,
                    slowest,
                    floor_median,
                    differences,
                )
            )
    return {"rows": counts, "values": values, "results": results}


def _value(figure: str, result: Any) -> str:
    """The figure itself, in a few characters, to see the data is plausible."""
    if figure == "verzuimpercentage":
        return f"{result.percentage} % ({result.percentage_excl_pregnancy} excl.)"
    if figure == "verzuimpercentage_by_month":
        return (
            f"{min(m.percentage for m in result)}-{max(m.percentage for m in result)} %"
        )
    if figure == "meldingsfrequentie":
        return f"{result.annualised} /year"
    if figure == "verzuimduur":
        shares = "/".join(str(c.share) for c in result.classes)
        return f"{result.mean_days} days ({shares} %)"
    if figure == "nulverzuim":
        return f"{result.percentage} %"
    if figure == "frequent_absence":
        return f"{result.employees} employees"
    on_time = "/".join(str(m.percentage_on_time) for m in result.milestones)
    return f"on time {on_time} %, overdue {result.overdue_now}"


def explain(figure: str, case: int) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of every query ``figure``'s selector
    runs for measured case number ``case`` (0: the year), as the app role."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Tenant
    from accounts.scoping import tenant_scope
    from analytics import selectors
    from analytics.compliance import compliance
    from cases.models import Employer

    selector = compliance if figure == "compliance" else getattr(selectors, figure)
    with tenant_scope(Tenant.objects.get(slug=TENANT_SLUG)):
        label, scope, period = _cases(Employer.objects.get(name=EMPLOYER_NAME))[case]
        with CaptureQueriesContext(connection) as captured:
            selector(scope, period, as_of=AS_OF)
        settings = []  # what the selector SET LOCAL before its queries
        for query in captured.captured_queries:
            sql = query["sql"].strip()
            if sql.upper().startswith("SET LOCAL"):
                settings.append(sql)
            if not sql.upper().startswith(("SELECT", "WITH")):
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                for setting in settings:
                    cursor.execute(setting)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"-- {figure}, {label} ({query['time']} s)\n{query['sql']}\n{plan}\n")


def _record(
    figure: str,
    label: str,
    median: float,
    slowest: float,
    floor: float,
    differences: list[str],
    *,
    targeted: bool = True,
) -> dict[str, Any]:
    """Print and return one measurement. ``targeted``: the 2 s target of a
    figure applies (a whole dashboard is every figure together)."""
    ratio = median / floor if floor else None
    over = targeted and slowest > TARGET_SECONDS
    notes = [f"floor {floor * 1000:7.1f} ms"]
    if ratio is not None:
        notes.append(f"{ratio:5.2f}x the floor")
    if over:
        notes.append(f"OVER THE {TARGET_SECONDS:.0f} s TARGET")
    if differences:
        notes.append("DIFFERS: " + "; ".join(differences[:3]))
    report(
        f"  {figure}",
        f"{median * 1000:7.1f} ms (max {slowest * 1000:7.1f})",
        ", ".join(notes),
    )
    return {
        "figure": figure,
        "case": label,
        "median_s": round(median, 4),
        "max_s": round(slowest, 4),
        "floor_median_s": round(floor, 4),
        "ratio": None if ratio is None else round(ratio, 2),
        "over_target": over,
        "differences": differences,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="generate the data anew")
    parser.add_argument(
        "--explain",
        metavar="FIGURE",
        help="print the query plans of one selector (e.g. verzuimpercentage)",
    )
    parser.add_argument(
        "--case",
        type=int,
        default=0,
        help="with --explain: 0 year, 1 quarter, 2 month, 3 department",
    )
    args = parser.parse_args()
    print(
        f"Hervat statistics benchmark: {EMPLOYEES:,} employees, "
        f"{HISTORY_START:%Y-%m-%d} .. {AS_OF:%Y-%m-%d}, {os.cpu_count()} cores"
    )
    _prepare(args.rebuild)
    if args.explain:
        explain(args.explain, args.case)
        return
    outcome = measure()
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        json.dumps(
            {
                "generator_version": GENERATOR_VERSION,
                "as_of": AS_OF.isoformat(),
                "target_s": TARGET_SECONDS,
                "runs": RUNS,
                "cores": os.cpu_count(),
                "jit": JIT or "server default",
                "load_average": os.getloadavg(),
                **outcome,
            },
            indent=2,
        )
    )
    print(f"\nWritten: {ARTIFACT.relative_to(ROOT)}")
    slow = [r for r in outcome["results"] if r["over_target"]]
    wrong = [r for r in outcome["results"] if r["differences"]]
    for r in slow:
        print(
            f"over {TARGET_SECONDS:.0f} s: {r['figure']}, {r['case']} "
            f"(max {r['max_s']:.2f} s)"
        )
    for r in wrong:
        print(
            f"differs from its floor: {r['figure']}, {r['case']}: "
            + "; ".join(r["differences"])
        )
    if slow or wrong:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
