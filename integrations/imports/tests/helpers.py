"""Building export files and walking a run through its steps in tests."""

from __future__ import annotations

import csv
import io

from accounts.models import Role
from cases.validators import bsn_is_valid
from integrations.imports.models import ImportRun
from integrations.imports.services import (
    import_run_confirm,
    import_run_dry_run,
    import_run_execute,
    import_run_map,
    import_run_upload,
)

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


def valid_bsn(seed: int) -> str:
    """A nine-digit number that passes the elfproef, derived from ``seed``."""
    base = 10_000_000 + seed * 7
    while True:
        digits = f"{base:08d}"[-8:]
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10 and bsn_is_valid(digits + str(check)):
            return digits + str(check)
        base += 1


def person(number: str, seed: int = 0, **extra: str) -> dict[str, str]:
    row = {
        "Personeelsnummer": number,
        "BSN": valid_bsn(seed or int("".join(c for c in number if c.isdigit()) or 1)),
        "Voorletters": "A.",
        "Roepnaam": f"Anna{number}",
        "Tussenvoegsel": "van",
        "Achternaam": f"Dijk{number}",
        "Geboortedatum": "17-05-1985",
        "E-mail": f"anna{number.lower()}@werk.test",
        "Functie": "Verpleegkundige",
        "Uren": "32,5",
        "E-mail leidinggevende": "",
        "Datum in dienst": "01-02-2020",
        "Datum uit dienst": "",
    }
    row.update(extra)
    return row


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    headers: list[str] | None = None,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    headers = headers or HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows([row.get(h, "") for h in headers] for row in rows)
    text = buffer.getvalue()
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dry_run(world, content: bytes, *, file_name="export.csv", columns=None, **kw):
    """Upload, map (the proposed columns unless given) and plan, in-process."""
    admin = world.user(Role.TENANT_ADMIN)
    run = import_run_upload(
        actor=admin,
        employer=kw.pop("employer", world.employer_a1),
        file_name=file_name,
        content=content,
        **kw,
    )
    run = import_run_map(actor=admin, run=run, columns=columns or run.columns)
    return import_run_dry_run(run=ImportRun.objects.get(pk=run.pk))


def real_run(world, run: ImportRun) -> ImportRun:
    """Confirm a dry run and carry it out, in-process."""
    import_run_confirm(actor=world.user(Role.TENANT_ADMIN), run=run)
    return import_run_execute(
        run=ImportRun.objects.select_related("employer").get(pk=run.pk)
    )
