"""The right to erasure (AVG art. 17), limited by the duties to keep."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Role
from cases.models import AbsenceCase, Employee
from core.exceptions import ApplicationError
from poortwachter.models import ConsultMedical, MedicalAccessLog
from privacy.models import RetentionRun, RetentionTrigger
from privacy.services import employee_erase
from privacy.tests.conftest import (
    PERSONAL,
    RECOVERY_DATE,
    make_case,
    make_employee,
    tables_containing,
)

SOON_AFTER = RECOVERY_DATE + dt.timedelta(days=60)


def _erase(world, employee, today=SOON_AFTER, **kwargs):
    return employee_erase(
        actor=world.user(Role.TENANT_ADMIN), employee=employee, today=today, **kwargs
    )


def test_erasure_anonymises_the_employee_and_all_closed_cases_now(full):
    access_log = list(MedicalAccessLog.objects.order_by("pk").values())
    report = employee_erase(actor=None, employee=full.employee, today=SOON_AFTER)

    assert report.cases == 1
    assert report.employees == 1
    assert tables_containing(list(PERSONAL.values())) == {}
    assert not ConsultMedical.objects.filter(consult__case=full.case).exists()
    assert list(MedicalAccessLog.objects.order_by("pk").values()) == access_log
    assert Employee.objects.get(pk=full.employee.pk).surname == "Geanonimiseerd"
    run = RetentionRun.objects.get()
    assert run.trigger == RetentionTrigger.ERASURE
    event = AuditEvent.objects.get(action="employee_erase")
    assert event.data["forced"] is False
    assert event.data["cases"] == 1


def test_erasure_refuses_while_a_case_is_open(scope_a):
    employee = make_employee(scope_a)
    case = make_case(scope_a, employee, recovery=None)
    with pytest.raises(ApplicationError, match="open verzuimdossier"):
        _erase(scope_a, employee, force=True, reason="verzoek werknemer")
    assert AbsenceCase.objects.get(pk=case.pk).agreements == PERSONAL["agreements"]
    assert not RetentionRun.objects.exists()


def test_erasure_within_28_days_of_recovery_needs_force_and_a_reason(scope_a):
    employee = make_employee(scope_a)
    make_case(scope_a, employee)
    soon = RECOVERY_DATE + dt.timedelta(days=10)
    with pytest.raises(ApplicationError, match="samentelling") as refused:
        _erase(scope_a, employee, today=soon)
    assert refused.value.field == "force"
    with pytest.raises(ApplicationError, match="waarom") as no_reason:
        _erase(scope_a, employee, today=soon, force=True, reason="  ")
    assert no_reason.value.field == "reason"
    assert Employee.objects.get(pk=employee.pk).surname == PERSONAL["surname"]

    _erase(scope_a, employee, today=soon, force=True, reason="Verzoek van werknemer")

    assert Employee.objects.get(pk=employee.pk).surname == "Geanonimiseerd"
    event = AuditEvent.objects.get(action="employee_erase")
    assert event.data == {
        "run": RetentionRun.objects.get().pk,
        "cases": 1,
        "forced": True,
        "reason": "Verzoek van werknemer",
    }


def test_erasure_at_an_eigenrisicodrager_within_five_years_needs_force(light):
    light.employer.eigenrisicodrager_wga = True
    light.employer.save()
    with pytest.raises(ApplicationError, match="eigenrisicodrager"):
        _erase(light, light.employee, today=dt.date(2026, 1, 1))
    _erase(light, light.employee, today=dt.date(2028, 6, 1))
    assert Employee.objects.get(pk=light.employee.pk).bsn == ""


def test_dry_run_erases_nothing(light):
    report = _erase(light, light.employee, dry_run=True)
    assert report.cases == 1
    assert report.employees == 1
    assert not RetentionRun.objects.exists()
    assert Employee.objects.get(pk=light.employee.pk).surname == PERSONAL["surname"]


def test_command_without_confirm_only_shows_what_would_happen(light):
    out = io.StringIO()
    call_command(
        "employee_erase",
        "--tenant",
        "tenant-a",
        "--employee",
        str(light.employee.pk),
        stdout=out,
    )
    assert "Proef" in out.getvalue()
    assert "dossiers: 1" in out.getvalue()
    assert Employee.objects.get(pk=light.employee.pk).surname == PERSONAL["surname"]


def test_command_with_confirm_erases(light):
    out = io.StringIO()
    call_command(
        "employee_erase",
        "--tenant",
        "tenant-a",
        "--employee",
        str(light.employee.pk),
        "--confirm",
        stdout=out,
    )
    assert "Gewist" in out.getvalue()
    assert Employee.objects.get(pk=light.employee.pk).surname == "Geanonimiseerd"


def test_command_refuses_an_open_case_with_the_reason(scope_a):
    employee = make_employee(scope_a)
    make_case(scope_a, employee, recovery=None)
    with pytest.raises(CommandError, match="open verzuimdossier"):
        call_command(
            "employee_erase",
            "--tenant",
            "tenant-a",
            "--employee",
            str(employee.pk),
            "--confirm",
            "--force",
            "--reason",
            "verzoek",
        )


def test_command_cannot_reach_another_tenants_employee(world):
    with pytest.raises(CommandError, match="Geen werknemer"):
        call_command(
            "employee_erase",
            "--tenant",
            "tenant-b",
            "--employee",
            str(world.a1_employee.pk),
            "--confirm",
        )
