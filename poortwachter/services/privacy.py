"""The privacy officer's export of the medical access log for one employee
(the right of access, AVG art. 15). The export itself is audited."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_event_record
from cases.models import Employee
from core.exceptions import ApplicationError

EXPORT_FORMATS = ("csv", "json")
EXPORT_COLUMNS = (
    "accessed_at",
    "user_name",
    "user_email",
    "role",
    "record_type",
    "record_id",
    "remote_addr",
)


@dataclass(frozen=True)
class AccessLogExport:
    filename: str
    content_type: str
    content: bytes
    rows: int


def _safe_cell(value: str) -> str:
    # A cell a spreadsheet would run as a formula is kept as text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def access_log_export(*, actor: User, employee: Employee, fmt: str) -> AccessLogExport:
    """Every read of ``employee``'s medical data as CSV or JSON: when, who
    (name and e-mail address), in which role, which record, from where.
    Records an audit event for the export in the same transaction."""
    from poortwachter.selectors import access_log_for_employee

    if fmt not in EXPORT_FORMATS:
        raise ApplicationError(_("Kies CSV of JSON."), field="format")
    with transaction.atomic():
        rows = [
            {
                "accessed_at": timezone.localtime(log.accessed_at).isoformat(),
                "user_name": log.user.get_full_name(),
                "user_email": log.user.email,
                "role": log.role,
                "record_type": log.record_type,
                "record_id": log.record_id,
                "remote_addr": log.remote_addr or "",
            }
            for log in access_log_for_employee(employee=employee)
        ]
        audit_event_record(
            actor=actor,
            action="access_log_export",
            obj=employee,
            data={"format": fmt, "rows": len(rows)},
        )
    stamp = timezone.localdate().isoformat()
    filename = f"inzagelog-{employee.personnel_number}-{stamp}.{fmt}"
    if fmt == "json":
        document = {
            "employee": {
                "name": employee.display_name,
                "personnel_number": employee.personnel_number,
                "employer": employee.employer.name,
            },
            "exported_at": timezone.localtime().isoformat(),
            "reads": rows,
        }
        content = json.dumps(document, ensure_ascii=False, indent=2).encode()
        return AccessLogExport(filename, "application/json", content, len(rows))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: _safe_cell(v) if isinstance(v, str) else v for k, v in row.items()}
        )
    # A byte-order mark, so a spreadsheet opens the names with accents right.
    content = ("\ufeff" + buffer.getvalue()).encode()
    return AccessLogExport(filename, "text/csv; charset=utf-8", content, len(rows))
