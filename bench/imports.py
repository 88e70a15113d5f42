"""Employee import benchmark: a 50,000-row CSV through the real services.

    make bench                        # part of it
    .venv/bin/python bench/imports.py # BENCH_IMPORT_ROWS=50000 by default

Uses the ``hervat_bench`` database (``bench/run.py`` creates and migrates
it). Each run makes a fresh employer in a tenant of its own and removes it
afterwards. Celery runs in-process here, so the figures are the worker's
work without the broker. Figures, never pass/fail; the floor is a plain
``bulk_create`` of the same employees with no parsing or validation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import _setup_django, report  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
HEADERS = [
    "Personeelsnummer",
    "BSN",
    "Voorletters",
    "Roepnaam",
    "Tussenvoegsel",
    "Achternaam",
    "Geboortedatum",
    "E-mail",
    "Functie",
    "Uren",
    "E-mail leidinggevende",
    "Datum in dienst",
    "Datum uit dienst",
]


def _bsns(count: int) -> list[str]:
    from cases.validators import bsn_is_valid

    result, base = [], 10_000_000
    while len(result) < count:
        digits = f"{base:08d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        candidate = digits + str(total % 11)
        if total % 11 < 10 and bsn_is_valid(candidate):
            result.append(candidate)
        base += 1
    return result


def _csv(bsns: list[str], manager: str, *, changed_every: int = 0) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS)
    for i, bsn in enumerate(bsns):
        changed = changed_every and i % changed_every == 0
        writer.writerow(
            [
                f"B{i:06d}",
                bsn,
                "A.",
                f"Anna{i}",
                "van" if i % 3 == 0 else "",
                f"Dijk{i}",
                f"{1 + i % 28:02d}-{1 + i % 12:02d}-{1960 + i % 40}",
                f"anna{i}@bench.example",
                "Medewerker" if not changed else "Teamleider",
                "32,5" if not changed else "36",
                manager if i % 10 == 0 else "",
                "01-02-2015",
                "31-12-2026" if changed else "",
            ]
        )
    return buffer.getvalue().encode()


def _timed(work: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()  # type: ignore[operator]
    return time.perf_counter() - start, result


def main() -> None:
    _setup_django()
    from django.db import connection

    from accounts.models import Membership, Role, Tenant, User
    from accounts.scoping import tenant_scope
    from cases.models import Employee, Employer
    from config.celery import app
    from integrations.imports.models import ImportRun, ImportStatus
    from integrations.imports.parsing import table_read
    from integrations.imports.services import (
        import_run_confirm,
        import_run_map,
        import_run_upload,
    )

    app.conf.task_always_eager = True
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    print(f"Hervat import benchmark, {ROWS:,} rows, {os.cpu_count()} cores")
    tenant, _ = Tenant.objects.get_or_create(
        slug="bench-import", defaults={"name": "Bench import"}
    )
    admin, _ = User.objects.get_or_create(email="admin@bench-import.example")
    manager, _ = User.objects.get_or_create(email="manager@bench-import.example")
    bsns = _bsns(ROWS)
    first = _csv(bsns, manager.email)
    changed = _csv(bsns, manager.email, changed_every=10)
    report("CSV size", f"{len(first) / 1e6:,.1f} MB", f"{ROWS:,} rows")

    with tenant_scope(tenant):
        Membership.objects.get_or_create(
            tenant=tenant, user=admin, defaults={"role": Role.TENANT_ADMIN}
        )
        Membership.objects.get_or_create(
            tenant=tenant, user=manager, defaults={"role": Role.LEIDINGGEVENDE}
        )
        employer = Employer.objects.create(
            tenant=tenant, name=f"Import bench {time.time_ns()}"
        )
        try:
            seconds, _table = _timed(
                lambda: table_read(
                    content=first, file_name="bench.csv", encoding="utf-8"
                )
            )
            report("read CSV (decode, split)", f"{seconds:,.2f} s", _rate(seconds))

            def dry(content: bytes) -> ImportRun:
                run = import_run_upload(
                    actor=admin,
                    employer=employer,
                    file_name="bench.csv",
                    content=content,
                )
                import_run_map(actor=admin, run=run, columns=run.columns)
                return ImportRun.objects.get(pk=run.pk)

            def real(run: ImportRun) -> ImportRun:
                import_run_confirm(actor=admin, run=run)
                return ImportRun.objects.get(pk=run.pk)

            for label, content in (
                ("first import, all new", first),
                ("same file again, nothing changes", first),
                ("10% changed (hours, title, end date)", changed),
            ):
                seconds, run = _timed(lambda content=content: dry(content))
                if run.status != ImportStatus.DRY_RUN:
                    raise SystemExit(f"dry run failed: {run.failure}")
                report(
                    f"dry run: {label}",
                    f"{seconds:,.2f} s",
                    f"{_rate(seconds)}; {run.created_count:,} new, "
                    f"{run.updated_count:,} changed",
                )
                seconds, run = _timed(lambda run=run: real(run))
                if run.status != ImportStatus.DONE:
                    raise SystemExit(f"real run failed: {run.failure}")
                report(f"real run: {label}", f"{seconds:,.2f} s", _rate(seconds))

            floor_employer = Employer.objects.create(
                tenant=tenant, name=f"Import floor {time.time_ns()}"
            )
            seconds, _ = _timed(
                lambda: Employee.objects.bulk_create(
                    [
                        Employee(
                            tenant=tenant,
                            employer=floor_employer,
                            personnel_number=f"F{i:06d}",
                            bsn=bsn,
                            surname=f"Dijk{i}",
                            employment_start=dt.date(2015, 2, 1),
                        )
                        for i, bsn in enumerate(bsns)
                    ],
                    batch_size=1000,
                )
            )
            report(
                "floor: bulk_create of the same employees",
                f"{seconds:,.2f} s",
                f"{_rate(seconds)} (no parsing, no validation)",
            )
        finally:
            with connection.cursor() as cursor:
                for table in (
                    "imports_importfile",
                    "imports_importrun",
                    "imports_importmapping",
                ):
                    cursor.execute(
                        f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk]
                    )
                cursor.execute(
                    "DELETE FROM cases_employee WHERE tenant_id = %s", [tenant.pk]
                )
                cursor.execute(
                    "DELETE FROM cases_employer WHERE tenant_id = %s", [tenant.pk]
                )


def _rate(seconds: float) -> str:
    return f"{ROWS / seconds:,.0f} rows/s"


if __name__ == "__main__":
    main()
