"""employee_upsert: match on personnel number, validate like the model, write
only what changed, audit without the BSN in clear, never delete."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from accounts.models import AuditEvent, Membership, Role
from accounts.tests.factories import UserFactory
from cases.models import Employee
from cases.services import employee_upsert
from cases.tests.factories import EmployeeFactory
from core.exceptions import ApplicationError
from poortwachter.models import CaseTimeline

VALID_BSN = "123456782"
OTHER_BSN = "111222333"


def fields(**extra):
    base = {
        "bsn": VALID_BSN,
        "initials": "J.",
        "first_name": "Jan",
        "surname_prefix": "de",
        "surname": "Vries",
        "date_of_birth": dt.date(1980, 5, 17),
        "email": "jan@werk.test",
        "contract_hours": Decimal("32.0"),
        "employment_start": dt.date(2019, 1, 1),
    }
    base.update(extra)
    return base


def upsert(world, number="N-1", **extra):
    return employee_upsert(
        actor=world.user(Role.TENANT_ADMIN),
        employer=world.employer_a1,
        personnel_number=number,
        fields=fields(**extra),
    )


def test_creates_employee_with_audit_event_without_bsn_in_clear(scope_a):
    employee, created = upsert(scope_a)
    assert created is True
    stored = Employee.objects.get(pk=employee.pk)
    assert stored.bsn == VALID_BSN
    assert stored.display_name == "Jan de Vries"
    assert stored.tenant_id == scope_a.tenant_a.pk
    event = AuditEvent.objects.get(action="employee_create", object_id=employee.pk)
    assert VALID_BSN not in json.dumps(event.data)
    assert event.data["changes"]["bsn"] == {"before": "", "after": "******782"}


def test_update_writes_only_changed_fields_and_masks_bsn(scope_a):
    employee, _ = upsert(scope_a)
    Employee.objects.filter(pk=employee.pk).update(job_title="Timmerman")
    updated, created = upsert(scope_a, email="jan.devries@werk.test", bsn=OTHER_BSN)
    assert created is False
    assert updated.pk == employee.pk
    stored = Employee.objects.get(pk=employee.pk)
    assert stored.email == "jan.devries@werk.test"
    assert stored.job_title == "Timmerman"  # not given, so untouched
    event = AuditEvent.objects.get(action="employee_update", object_id=employee.pk)
    assert set(event.data["changes"]) == {"email", "bsn"}
    text = json.dumps(event.data)
    assert VALID_BSN not in text and OTHER_BSN not in text


def test_unchanged_employee_is_a_no_op_without_audit_event(scope_a):
    upsert(scope_a)
    before = AuditEvent.objects.count()
    _employee, created = upsert(scope_a, bsn="1234 567 82", email=" jan@werk.test ")
    assert created is False
    assert AuditEvent.objects.count() == before


def test_bad_bsn_is_refused_with_dutch_message_on_the_field(scope_a):
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, bsn="123456789")
    assert caught.value.field == "bsn"
    assert "elfproef" in caught.value.message
    assert not Employee.objects.filter(personnel_number="N-1").exists()


def test_new_employee_needs_surname_and_start(scope_a):
    with pytest.raises(ApplicationError) as caught:
        employee_upsert(
            actor=None,
            employer=scope_a.employer_a1,
            personnel_number="N-2",
            fields={"surname": "Jansen"},
        )
    assert caught.value.field == "employment_start"


def test_employment_end_before_start_is_refused(scope_a):
    upsert(scope_a)
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, employment_end=dt.date(2018, 12, 31))
    assert caught.value.field == "employment_end"


def test_manager_resolved_from_email_of_an_active_leidinggevende(scope_a):
    manager = scope_a.user(Role.LEIDINGGEVENDE)
    employee, _ = upsert(scope_a, manager_email=manager.email.upper())
    assert employee.manager == manager


def test_unknown_manager_email_is_an_error_naming_it(scope_a):
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, manager_email="nobody@elders.test")
    assert caught.value.field == "manager_email"
    assert "nobody@elders.test" in caught.value.message


def test_manager_of_another_role_or_inactive_is_refused(scope_a):
    with pytest.raises(ApplicationError):
        upsert(scope_a, manager_email=scope_a.user(Role.HR).email)
    inactive = UserFactory(email="oud@tenant-a.test")
    Membership.objects.create(
        tenant=scope_a.tenant_a,
        user=inactive,
        role=Role.LEIDINGGEVENDE,
        is_active=False,
    )
    with pytest.raises(ApplicationError):
        upsert(scope_a, manager=inactive)


def test_unknown_field_and_bad_values_are_refused(scope_a):
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, salary=5000)
    assert caught.value.field == "salary"
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, contract_hours=Decimal("70"))
    assert caught.value.field == "contract_hours"
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, email="geen-adres")
    assert caught.value.field == "email"
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, preferred_language="fr")
    assert caught.value.field == "preferred_language"


def test_employment_end_marks_open_case_timeline_stale(scope_a):
    employee = scope_a.a1_employee
    CaseTimeline.objects.filter(case=scope_a.a1_case).update(stale=False)
    employee_upsert(
        actor=None,
        employer=scope_a.employer_a1,
        personnel_number=employee.personnel_number,
        fields={"employment_end": dt.date(2026, 12, 31)},
    )
    assert CaseTimeline.objects.get(case=scope_a.a1_case).stale is True
    employee.refresh_from_db()
    assert employee.employment_end == dt.date(2026, 12, 31)


def test_personnel_number_is_required(scope_a):
    with pytest.raises(ApplicationError) as caught:
        upsert(scope_a, number="  ")
    assert caught.value.field == "personnel_number"


def test_other_employers_employee_with_same_number_is_not_touched(scope_a):
    other = EmployeeFactory(employer=scope_a.employer_a2, personnel_number="N-1")
    employee, created = upsert(scope_a)
    assert created is True
    assert employee.pk != other.pk
    other.refresh_from_db()
    assert other.surname != "Vries"
