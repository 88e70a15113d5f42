"""The plan of an import: what writing a set of source rows would do.

The dry run shows a plan; the real run makes the plan again inside its
transaction and writes it only when it is the same plan (same digest). Every
field is validated by ``cases.services.employee_fields_clean`` and
``employee_change_plan``, the same code the REST API's upsert uses.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cases.models import Employee, Employer
from cases.services import (
    EmployeeChange,
    employee_change_plan,
    employee_fields_clean,
    employee_managers_by_email,
)
from core.exceptions import ApplicationError
from integrations.imports.columns import REQUIRED_KEYS, TARGETS_BY_KEY
from integrations.imports.parsing import SourceRow, row_fields

# Enough for anyone to see what is wrong with a file; the count is complete.
MAX_REPORTED_ERRORS = 10_000
PROGRESS_EVERY = 1_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Plan:
    """Creates and updates by source row, errors, and who is missing."""

    rows_total: int = 0
    changes: list[tuple[int, EmployeeChange]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    missing: list[Employee] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def created_count(self) -> int:
        return sum(1 for _row, change in self.changes if change.created)

    @property
    def updated_count(self) -> int:
        return len(self.changes) - self.created_count

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))

    def digest(self) -> str:
        """sha256 of exactly what would be written (values in clear go into
        the hash only, never into storage)."""
        canonical = [
            [
                change.personnel_number,
                change.employee.pk if change.employee else None,
                sorted(
                    (name, _canonical(value)) for name, value in change.values.items()
                ),
            ]
            for _row, change in self.changes
        ]
        return hashlib.sha256(
            json.dumps(canonical, separators=(",", ":")).encode()
        ).hexdigest()

    def report(self) -> dict[str, Any]:
        """The plan as JSON for the report pages: names and changed fields,
        the BSN masked, no value in clear that the pages do not show."""
        creates, updates = [], []
        for row, change in self.changes:
            if change.created:
                creates.append(
                    {
                        "row": row,
                        "personnel_number": change.personnel_number,
                        "name": _name(change.values),
                    }
                )
            else:
                assert change.employee is not None  # noqa: S101
                updates.append(
                    {
                        "row": row,
                        "personnel_number": change.personnel_number,
                        "name": change.employee.display_name,
                        "changes": change.summary(),
                    }
                )
        return {
            "creates": creates,
            "updates": updates,
            "errors": [vars(error) for error in self.errors],
            "errors_truncated": self.error_count > len(self.errors),
            "warnings": [vars(warning) for warning in self.warnings],
            "missing": [
                {
                    "personnel_number": employee.personnel_number,
                    "name": employee.display_name,
                    "employment_end": employee.employment_end.strftime("%d-%m-%Y")
                    if employee.employment_end
                    else "",
                }
                for employee in self.missing
            ],
        }


def _canonical(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return None if value is None else str(value)


def _name(values: Mapping[str, Any]) -> str:
    given = values.get("first_name") or values.get("initials") or ""
    family = " ".join(
        part for part in (values.get("surname_prefix"), values.get("surname")) if part
    )
    return f"{given} {family}".strip()


def _number_key(number: str) -> str:
    # '00123' in one export and 123 in another (a spreadsheet dropped the
    # zeros) must not become two employees.
    return number.lstrip("0") or number


def columns_check(columns: Mapping[str, str]) -> None:
    """Every required field has a column; one message naming the missing."""
    missing = [key for key in REQUIRED_KEYS if not columns.get(key)]
    if missing:
        raise ApplicationError(
            _("Deze verplichte kolommen ontbreken: %(columns)s.")
            % {"columns": ", ".join(str(TARGETS_BY_KEY[k].label) for k in missing)},
            field="columns",
        )


def plan_make(
    *,
    employer: Employer,
    rows: Sequence[SourceRow],
    columns: Mapping[str, str],
    progress: ProgressCallback | None = None,
) -> Plan:
    """Plan writing ``rows`` (raw text per target field) to ``employer``.

    ``columns`` names the source column of each target field, for the error
    messages. A constant number of queries, whatever the number of rows: the
    employer's employees and the managers named are read once.
    """
    columns_check(columns)

    def column(name: str) -> str:
        key = "manager_email" if name == "manager" else name
        target = TARGETS_BY_KEY.get(key)
        return columns.get(key) or (str(target.label) if target else key)

    plan = Plan(rows_total=len(rows))
    if progress is not None:
        progress(0, len(rows))
    existing = {
        employee.personnel_number: employee
        for employee in Employee.objects.filter(employer=employer).select_related(
            "manager"
        )
    }
    existing_keys = {_number_key(number): number for number in existing}
    managers = employee_managers_by_email(
        emails=(row.values.get("manager_email", "") for row in rows)
    )
    numbers = [row.values.get("personnel_number", "").strip() for row in rows]
    counts = Counter(_number_key(number) for number in numbers if number)
    bsn_owners: dict[str, str] | None = None
    max_length = Employee._meta.get_field("personnel_number").max_length
    seen: set[str] = set()
    for done, (row, number) in enumerate(zip(rows, numbers, strict=True), start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        number_column = column("personnel_number")
        if not number:
            plan.add_error(row.number, number_column, _("Personeelsnummer ontbreekt."))
            continue
        seen.add(number)
        if len(number) > max_length:
            plan.add_error(
                row.number,
                number_column,
                _("Een personeelsnummer heeft hoogstens %(max)d tekens.")
                % {"max": max_length},
            )
            continue
        if counts[_number_key(number)] > 1:
            plan.add_error(
                row.number,
                number_column,
                _("Personeelsnummer %(number)s staat meer dan eens in het bestand.")
                % {"number": number},
            )
            continue
        current = existing.get(number)
        if current is None and _number_key(number) in existing_keys:
            plan.add_error(
                row.number,
                number_column,
                _(
                    "Personeelsnummer %(number)s lijkt op het bestaande nummer "
                    "%(existing)s (voorloopnullen); controleer de opmaak van de "
                    "kolom."
                )
                % {"number": number, "existing": existing_keys[_number_key(number)]},
            )
            continue
        fields, format_errors = row_fields(row.values)
        for name, message in format_errors.items():
            plan.add_error(row.number, column(name), message)
            fields.pop(name, None)
        cleaned, errors = employee_fields_clean(fields=fields, managers=managers)
        if format_errors or errors:
            for error in errors:
                plan.add_error(row.number, column(error.field or ""), error.message)
            continue
        change, errors = employee_change_plan(
            personnel_number=number, cleaned=cleaned, current=current
        )
        for error in errors:
            plan.add_error(row.number, column(error.field or ""), error.message)
        if change is None:
            if not errors:
                plan.unchanged += 1
            continue
        plan.changes.append((row.number, change))
        if change.created and change.values.get("bsn"):
            if bsn_owners is None:
                bsn_owners = {e.bsn: e.personnel_number for e in existing.values()}
            owner = bsn_owners.get(change.values["bsn"])
            if owner is not None:
                plan.warnings.append(
                    RowError(
                        row.number,
                        column("bsn"),
                        _(
                            "Nieuwe werknemer met hetzelfde BSN als personeelsnummer "
                            "%(number)s: een tweede dienstverband, of een gewijzigd "
                            "personeelsnummer (dan ontstaat een dubbele werknemer)?"
                        )
                        % {"number": owner},
                    )
                )
    plan.missing = sorted(
        (e for number, e in existing.items() if number not in seen),
        key=lambda e: e.personnel_number,
    )
    if progress is not None:
        progress(len(rows), len(rows))
    return plan
