"""Hervat benchmarks: figures and ratios against a floor, never pass/fail.

    make bench                      # BENCH_CASES=100000 by default
    BENCH_CASES=1000000 make bench  # the DESIGN.md §9 scale

Uses its own PostgreSQL database (``hervat_bench`` next to DATABASE_URL's),
which it creates, migrates and fills with bulk SQL. Prints one line per
figure; see DESIGN.md §9 for the targets.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = int(os.environ.get("BENCH_CASES", "100000"))
CHANGED_SHARE = 0.01
RULES_SAMPLES = int(os.environ.get("BENCH_RULES_SAMPLES", "50000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))


def _bench_database_url(name: str = "hervat_bench") -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hervat")
    parsed = urlparse(base)
    return urlunparse(parsed._replace(path=f"/{name}"))


def _ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(name: str = "hervat_bench") -> None:
    """Create (if needed) and migrate the bench database ``name``, and point
    Django at it."""
    url = _bench_database_url(name)
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def report(name: str, value: str, note: str = "") -> None:
    print(f"{name:<58} {value:>18}  {note}")


def bench_rules() -> None:
    from poortwachter.rules import CaseFacts, FullRecovery, Relapse, compute_timeline

    rng = random.Random(1)
    facts = []
    for _ in range(RULES_SAMPLES):
        fsd = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        if rng.random() < 0.2:
            recovery = fsd + dt.timedelta(days=rng.randint(5, 200))
            relapse = recovery + dt.timedelta(days=rng.randint(1, 40))
            facts.append(CaseFacts(fsd, (FullRecovery(recovery), Relapse(relapse))))
        else:
            facts.append(CaseFacts(fsd))
    start = time.perf_counter()
    for item in facts:
        compute_timeline(item)
    seconds = time.perf_counter() - start
    rate = len(facts) / seconds
    report(
        "rules engine, pure (one core)",
        f"{rate:,.0f} /s",
        f"target >= 20,000/s: {rate / 20000:.2f}x the target",
    )


def _seed(cases: int) -> object:
    from django.db import connection

    from accounts.models import Tenant

    tenant = Tenant.objects.filter(slug="bench").first()
    if tenant is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE poortwachter_task, poortwachter_deadline, "
                "poortwachter_casetimeline, cases_workabilitychange, "
                "cases_absencecase, cases_employee, cases_employer CASCADE"
            )
    else:
        tenant = Tenant.objects.create(slug="bench", name="Bench")  # protocol too
    today = dt.date.today()  # noqa: DTZ011 - a benchmark, not application code
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_employer (tenant_id, name, kvk_number,
                loonheffingennummer, contact_name, contact_email, contact_phone,
                eigenrisicodrager_zw, eigenrisicodrager_wga)
            SELECT %s, 'Werkgever ' || i, '', '', '', '', '', false, false
            FROM generate_series(1, 100) AS i
            """,
            [tenant.pk],
        )
        cursor.execute(
            """
            INSERT INTO cases_employee (tenant_id, employer_id, personnel_number,
                initials, first_name, surname_prefix, surname, birth_name, bsn,
                email, phone, preferred_language, job_title, job_description,
                employment_start, vangnet_category)
            SELECT %s, e.id, 'P' || i, 'A.', '', '', 'Werknemer ' || i, '', '',
                '', '', 'nl', '', '', DATE '2015-01-01', ''
            FROM generate_series(1, %s) AS i
            JOIN cases_employer e ON e.tenant_id = %s
                AND e.name = 'Werkgever ' || (1 + i %% 100)
            """,
            [tenant.pk, cases, tenant.pk],
        )
        cursor.execute(
            """
            INSERT INTO cases_absencecase (tenant_id, employee_id, first_sick_day,
                status, reported_at, route, expected_duration,
                accident_or_third_party, work_possible, agreements,
                vangnet_category, reachable_phone, reachable_address)
            SELECT %s, id, %s::date - (id %% 700)::int, 'open',
                (%s::date - (id %% 700)::int)::timestamptz, '', 'unknown',
                false, false, '', '', '', ''
            FROM cases_employee WHERE tenant_id = %s
            """,
            [tenant.pk, today, today, tenant.pk],
        )
        cursor.execute("ANALYZE")
    report(
        "seed: open cases (bulk SQL)",
        f"{cases:,}",
        f"{time.perf_counter() - start:.1f} s",
    )
    return tenant


def _floor(table: str) -> float:
    """Seconds to write the same rows set-based: INSERT ... SELECT into a copy."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
        cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        start = time.perf_counter()
        cursor.execute(f"INSERT INTO floor_{table} SELECT * FROM {table}")
        seconds = time.perf_counter() - start
        cursor.execute(f"DROP TABLE floor_{table}")
    return seconds


def _refresh_share(tenant_id: int, batches: list[list[int]], today: dt.date) -> int:
    from accounts.models import Tenant
    from accounts.scoping import tenant_scope
    from poortwachter.services import deadlines_refresh_for_cases

    with tenant_scope(Tenant.objects.get(pk=tenant_id)):
        return sum(
            deadlines_refresh_for_cases(case_ids=batch, today=today)
            for batch in batches
        )


def parallel_refresh(tenant: object, today: dt.date) -> int:
    """What the nightly beat job does with one Celery worker process per core:
    select the chains, cut them into batches, let every process take a share."""
    import multiprocessing

    from django.db import connections

    from accounts.scoping import tenant_scope
    from poortwachter.selectors import cases_needing_refresh
    from poortwachter.services import BATCH_SIZE

    with tenant_scope(tenant):
        ids = list(cases_needing_refresh(today=today))
    batches = [ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)]
    if not batches:
        return 0
    workers = min(WORKERS, len(batches))
    shares = [batches[w::workers] for w in range(workers)]
    connections.close_all()  # children open their own connections
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        counts = pool.starmap(
            _refresh_share, [(tenant.pk, share, today) for share in shares]
        )
    return sum(counts)


def bench_refresh(tenant: object) -> None:
    from django.db import connection

    today = dt.date.today()  # noqa: DTZ011
    start = time.perf_counter()
    refreshed = parallel_refresh(tenant, today)
    full = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM poortwachter_task")
        tasks = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM poortwachter_deadline")
        deadlines = cursor.fetchone()[0]
    floor = sum(
        _floor(t)
        for t in (
            "poortwachter_task",
            "poortwachter_deadline",
            "poortwachter_casetimeline",
        )
    )
    report(
        f"full refresh, {refreshed:,} open cases, {WORKERS} worker processes",
        f"{full:,.1f} s",
        f"{refreshed / full:,.0f} cases/s; {tasks:,} tasks, {deadlines:,} deadlines",
    )
    report(
        "  raw SQL floor (INSERT ... SELECT of the same rows)",
        f"{floor:,.1f} s",
        f"ratio {full / floor:.1f}x the floor (target <= 2x)",
    )

    bench_nightly(tenant, today)


def bench_nightly(tenant: object, today: dt.date) -> None:
    """The nightly run on a settled database: statistics current, 1% changed."""
    from django.db import connection

    from accounts.scoping import tenant_scope
    from poortwachter.models import CaseTimeline

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    start = time.perf_counter()
    quiet = parallel_refresh(tenant, today)
    idle = time.perf_counter() - start
    with tenant_scope(tenant):
        total = CaseTimeline.objects.count()
        changed = max(1, int(total * CHANGED_SHARE))
        ids = list(
            CaseTimeline.objects.order_by("?").values_list("pk", flat=True)[:changed]
        )
        CaseTimeline.objects.filter(pk__in=ids).update(stale=True)
    start = time.perf_counter()
    done = parallel_refresh(tenant, today)
    nightly = time.perf_counter() - start
    report("nightly refresh, nothing changed", f"{idle:,.2f} s", f"{quiet} chains")
    scaled = nightly * (1_000_000 / total)
    report(
        f"nightly refresh, {CHANGED_SHARE:.0%} of {total:,} changed ({done:,} chains)",
        f"{nightly:,.2f} s",
        f"{done / nightly:,.0f} chains/s; scaled to 1,000,000 cases ~{scaled:,.0f} s "
        "(target <= 10 s)",
    )


def main() -> None:
    if os.environ.get("BENCH_NIGHTLY_ONLY"):
        # Re-measure the nightly run on the database the last full run left.
        _setup_django()
        from accounts.models import Tenant

        print(f"Hervat benchmarks: nightly only, {os.cpu_count()} cores")
        bench_nightly(Tenant.objects.get(slug="bench"), dt.date.today())  # noqa: DTZ011
        return
    print(f"Hervat benchmarks, {CASES:,} cases, {os.cpu_count()} cores")
    bench_rules()
    _setup_django()
    tenant = _seed(CASES)
    bench_refresh(tenant)


if __name__ == "__main__":
    main()
