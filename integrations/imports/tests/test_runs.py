"""An import run from upload to result: the dry run shows exactly what the
real run writes, a file with any error writes nothing, nothing is deleted."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, Role
from cases.models import AbsenceCase, Employee
from cases.tests.factories import EmployeeFactory
from core.exceptions import ApplicationError
from integrations.imports import parsing
from integrations.imports.models import (
    ImportFile,
    ImportMapping,
    ImportRun,
    ImportStatus,
)
from integrations.imports.parsing import SourceRow
from integrations.imports.planning import plan_make
from integrations.imports.services import (
    import_rows_run,
    import_run_confirm,
    import_run_map,
    import_run_upload,
)
from integrations.imports.tests.helpers import (
    HEADERS,
    csv_bytes,
    dry_run,
    person,
    real_run,
    valid_bsn,
    xlsx_bytes,
)


def employees(world):
    return Employee.objects.filter(employer=world.employer_a1)


def test_dry_run_plan_is_what_the_real_run_writes(scope_a):
    existing = scope_a.a1_employee
    rows = [
        person("101"),
        person("102", **{"Uren": "24"}),
        person(
            existing.personnel_number,
            seed=5,
            **{
                "Roepnaam": existing.first_name,
                "Voorletters": existing.initials,
                "Tussenvoegsel": "",
                "Achternaam": existing.surname,
                "Datum in dienst": "01-01-2020",
                "E-mail": "nieuw@werk.test",
            },
        ),
    ]
    run = dry_run(scope_a, csv_bytes(rows))
    assert run.status == ImportStatus.DRY_RUN
    assert (run.created_count, run.updated_count, run.error_count) == (2, 1, 0)
    plan = run.report
    before = set(employees(scope_a).values_list("pk", flat=True))

    done = real_run(scope_a, run)

    assert done.status == ImportStatus.DONE
    assert done.report == plan
    after = employees(scope_a)
    new = after.exclude(pk__in=before)
    assert sorted(new.values_list("personnel_number", flat=True)) == sorted(
        c["personnel_number"] for c in plan["creates"]
    )
    assert Employee.objects.get(personnel_number="102").contract_hours == Decimal(24)
    assert Employee.objects.get(personnel_number="101").contract_hours == Decimal(
        "32.5"
    )
    (update,) = plan["updates"]
    assert update["personnel_number"] == existing.personnel_number
    existing.refresh_from_db()
    for field, (_old, new_text) in update["changes"].items():
        value = getattr(existing, field)
        shown = value.strftime("%d-%m-%Y") if isinstance(value, dt.date) else value
        if field == "bsn":
            shown = existing.bsn_masked
        assert str(shown) == new_text, field
    assert existing.email == "nieuw@werk.test"
    assert not ImportFile.objects.filter(run=run).exists()
    event = AuditEvent.objects.get(action="employees_bulk_apply", object_id=run.pk)
    assert (event.data["created"], event.data["updated"]) == (2, 1)


def test_confirm_saves_the_column_mapping_for_the_next_file(scope_a):
    headers = [h if h != "Achternaam" else "Familienaam" for h in HEADERS]
    rows = [{**person("201"), "Familienaam": "Bakker"}]
    content = csv_bytes(rows, headers=headers)
    first = import_run_upload(
        actor=scope_a.user(Role.TENANT_ADMIN),
        employer=scope_a.employer_a1,
        file_name="a.csv",
        content=content,
    )
    assert "surname" not in first.columns
    run = dry_run(scope_a, content, columns={**first.columns, "surname": "Familienaam"})
    real_run(scope_a, run)
    assert ImportMapping.objects.get(employer=scope_a.employer_a1).columns[
        "surname"
    ] == ("Familienaam")
    second = import_run_upload(
        actor=scope_a.user(Role.TENANT_ADMIN),
        employer=scope_a.employer_a1,
        file_name="b.csv",
        content=content,
    )
    assert second.columns["surname"] == "Familienaam"


def test_file_in_windows_1252_read_as_utf8_is_one_clear_error(scope_a):
    content = csv_bytes([person("301", **{"Achternaam": "Ruïne"})], encoding="cp1252")
    with pytest.raises(ApplicationError) as caught:
        dry_run(scope_a, content)
    assert "UTF-8" in caught.value.message
    assert "regel 2" in caught.value.message
    assert not ImportRun.objects.exists()
    run = dry_run(scope_a, content, encoding="cp1252")
    assert run.error_count == 0
    real_run(scope_a, run)
    assert Employee.objects.get(personnel_number="301").surname == "Ruïne"


def test_utf8_with_bom_and_comma_delimiter(scope_a):
    content = csv_bytes([person("302")], delimiter=",", bom=True)
    run = dry_run(scope_a, content)
    assert run.columns["personnel_number"] == "Personeelsnummer"
    assert (run.created_count, run.error_count) == (1, 0)


def test_missing_required_columns_are_named_in_one_message(scope_a):
    headers = [h for h in HEADERS if h not in {"Achternaam", "Datum in dienst"}]
    content = csv_bytes([person("401")], headers=headers)
    run = import_run_upload(
        actor=scope_a.user(Role.TENANT_ADMIN),
        employer=scope_a.employer_a1,
        file_name="x.csv",
        content=content,
    )
    with pytest.raises(ApplicationError) as caught:
        import_run_map(
            actor=scope_a.user(Role.TENANT_ADMIN), run=run, columns=run.columns
        )
    assert "Achternaam" in caught.value.message
    assert "In dienst sinds" in caught.value.message


def test_row_errors_name_row_and_column_and_nothing_is_written(scope_a):
    count = employees(scope_a).count()
    rows = [
        person("501"),
        person("502", **{"BSN": "123456789"}),
        person("503", **{"Datum in dienst": "31-02-2021"}),
        person("504", **{"Geboortedatum": "1985/05/17"}),
        person("505"),
        person("505", seed=9),
        person("506", **{"E-mail leidinggevende": "onbekend@elders.test"}),
        person("507", **{"Uren": "abc"}),
    ]
    run = dry_run(scope_a, csv_bytes(rows))
    errors = {(e["row"], e["column"]) for e in run.report["errors"]}
    assert errors == {
        (3, "BSN"),
        (4, "Datum in dienst"),
        (5, "Geboortedatum"),
        (6, "Personeelsnummer"),
        (7, "Personeelsnummer"),
        (8, "E-mail leidinggevende"),
        (9, "Uren"),
    }
    messages = {e["row"]: e["message"] for e in run.report["errors"]}
    assert "elfproef" in messages[3]
    assert "onbekend@elders.test" in messages[8]
    assert run.error_count == 7
    with pytest.raises(ApplicationError):
        import_run_confirm(actor=scope_a.user(Role.TENANT_ADMIN), run=run)
    assert employees(scope_a).count() == count
    assert not AuditEvent.objects.filter(action="employees_bulk_apply").exists()


def test_connector_rows_with_an_error_write_nothing(scope_a):
    count = employees(scope_a).count()
    columns = {"personnel_number": "nr", "surname": "naam", "employment_start": "in"}
    rows = [
        SourceRow(
            2,
            {
                "personnel_number": "601",
                "surname": "Goed",
                "employment_start": "2020-01-01",
            },
        ),
        SourceRow(
            3,
            {
                "personnel_number": "602",
                "surname": "",
                "employment_start": "2020-01-01",
            },
        ),
    ]
    run = import_rows_run(
        actor=None,
        employer=scope_a.employer_a1,
        rows=rows,
        columns=columns,
        source="afas",
        label="AFAS",
    )
    assert run.status == ImportStatus.FAILED
    assert run.report["errors"] == [
        {"row": 3, "column": "naam", "message": "Achternaam is verplicht."}
    ]
    assert employees(scope_a).count() == count


def test_same_file_again_changes_nothing_and_duplicates_nobody(scope_a):
    content = csv_bytes([person("701"), person("702")])
    real_run(scope_a, dry_run(scope_a, content))
    count = employees(scope_a).count()
    again = dry_run(scope_a, content)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (
        0,
        0,
        2,
    )
    done = real_run(scope_a, again)
    assert done.status == ImportStatus.DONE
    assert employees(scope_a).count() == count
    assert Employee.objects.filter(personnel_number="701").count() == 1


def test_employee_missing_from_later_file_is_reported_and_kept_with_cases(scope_a):
    absent = scope_a.a1_employee
    run = real_run(scope_a, dry_run(scope_a, csv_bytes([person("801")])))
    missing = {m["personnel_number"] for m in run.report["missing"]}
    assert absent.personnel_number in missing
    assert run.missing_count == employees(scope_a).count() - 1
    assert Employee.objects.filter(pk=absent.pk).exists()
    assert AbsenceCase.objects.filter(pk=scope_a.a1_case.pk).exists()


def test_later_file_sets_employment_end(scope_a):
    real_run(scope_a, dry_run(scope_a, csv_bytes([person("901")])))
    later = dry_run(
        scope_a, csv_bytes([person("901", **{"Datum uit dienst": "2026-12-31"})])
    )
    (update,) = later.report["updates"]
    assert update["changes"] == {"employment_end": ["", "31-12-2026"]}
    real_run(scope_a, later)
    assert Employee.objects.get(personnel_number="901").employment_end == dt.date(
        2026, 12, 31
    )


def test_xlsx_with_date_cells_and_numeric_numbers(scope_a):
    content = xlsx_bytes(
        [
            ["Personeelsnummer", "BSN", "Achternaam", "Uren", "Datum in dienst"],
            [1001, int(valid_bsn(3)), "Smit", 36, dt.datetime(2021, 3, 1)],  # noqa: DTZ001 - how Excel stores a date,
            [1002, "", "Visser", 20.5, "15-04-2022"],
        ]
    )
    run = dry_run(scope_a, content, file_name="Export.XLSX")
    assert (run.created_count, run.error_count) == (2, 0)
    real_run(scope_a, run)
    smit = Employee.objects.get(personnel_number="1001")
    assert smit.employment_start == dt.date(2021, 3, 1)
    assert smit.bsn == valid_bsn(3)
    assert Employee.objects.get(personnel_number="1002").contract_hours == Decimal(
        "20.5"
    )


def test_unreadable_xlsx_and_unknown_extension_are_refused(scope_a):
    with pytest.raises(ApplicationError, match="Excel"):
        dry_run(scope_a, b"not a zip", file_name="x.xlsx")
    with pytest.raises(ApplicationError, match="CSV"):
        dry_run(scope_a, b"a;b", file_name="x.pdf")


def test_file_over_the_size_limit_is_refused(scope_a, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ApplicationError, match="groter dan"):
        dry_run(scope_a, csv_bytes([person("1101"), person("1102")]))


def test_real_run_refuses_when_employees_changed_since_the_dry_run(scope_a):
    run = dry_run(scope_a, csv_bytes([person("1201")]))
    EmployeeFactory(employer=scope_a.employer_a1, personnel_number="1201")
    done = real_run(scope_a, run)
    assert done.status == ImportStatus.FAILED
    assert "proefrun opnieuw" in done.failure
    assert Employee.objects.get(personnel_number="1201").first_name != "Anna1201"


def test_leading_zeros_do_not_make_a_second_employee(scope_a):
    EmployeeFactory(employer=scope_a.employer_a1, personnel_number="00123")
    run = dry_run(scope_a, csv_bytes([person("123")]))
    (error,) = run.report["errors"]
    assert "00123" in error["message"]


def test_new_employee_with_an_existing_bsn_is_a_warning(scope_a):
    existing = scope_a.a1_employee
    existing.bsn = valid_bsn(77)
    existing.save()
    run = dry_run(scope_a, csv_bytes([person("1301", **{"BSN": existing.bsn})]))
    assert run.error_count == 0
    (warning,) = run.report["warnings"]
    assert existing.personnel_number in warning["message"]


def test_report_holds_no_bsn_in_clear(scope_a):
    existing = scope_a.a1_employee
    rows = [
        person("1401", seed=11),
        person(existing.personnel_number, seed=12, **{"Achternaam": existing.surname}),
        person("1402", **{"BSN": "123456789"}),
    ]
    run = dry_run(scope_a, csv_bytes(rows))
    text = json.dumps(run.report)
    for bsn in (valid_bsn(11), valid_bsn(12), existing.bsn):
        assert bsn not in text
    assert "123456789" not in text


@pytest.mark.parametrize("size", [10, 200])
def test_planning_query_count_does_not_grow_with_rows(scope_a, size):
    manager = scope_a.user(Role.LEIDINGGEVENDE).email
    rows = [
        SourceRow(
            i + 2,
            {
                "personnel_number": f"Q{i}",
                "bsn": valid_bsn(i + 1),
                "surname": f"Q{i}",
                "manager_email": manager,
                "employment_start": "01-01-2020",
                "contract_hours": "32,0",
            },
        )
        for i in range(size)
    ]
    columns = {key: key for key in rows[0].values}
    with CaptureQueriesContext(connection) as queries:
        plan = plan_make(employer=scope_a.employer_a1, rows=rows, columns=columns)
    assert plan.created_count == size
    assert len(queries) == 2


def test_import_of_employment_end_refreshes_the_open_case(scope_a):
    from poortwachter.models import CaseTimeline

    employee = scope_a.a1_employee
    CaseTimeline.objects.filter(case=scope_a.a1_case).update(stale=False)
    row = person(
        employee.personnel_number,
        **{
            "BSN": employee.bsn,
            "Achternaam": employee.surname,
            "Datum in dienst": "01-01-2020",
            "Datum uit dienst": "31-12-2026",
        },
    )
    done = real_run(scope_a, dry_run(scope_a, csv_bytes([row])))
    assert done.status == ImportStatus.DONE
    assert CaseTimeline.objects.get(case=scope_a.a1_case).stale is True
