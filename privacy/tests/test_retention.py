"""The retention run: what is past its period is anonymised or deleted, per
whole chain, once; what is not, or still open, is left alone."""

import datetime as dt

import pytest

from accounts.models import AuditEvent, Membership, User
from cases.models import AbsenceCase, ContactNote, Employee, WorkabilityChange
from documents.models import Document, Signature
from poortwachter.models import ConsultMedical, MedicalAccessLog, ProbleemanalyseMedical
from privacy.models import (
    RetentionAction,
    RetentionCategory,
    RetentionMark,
    RetentionPolicy,
    RetentionRun,
    RetentionTrigger,
)
from privacy.selectors import months_before, retention_policy_for
from privacy.services import retention_run
from privacy.tests.conftest import (
    BSN,
    MEDICAL,
    PAST_PERIOD,
    PERSONAL,
    RECOVERY_DATE,
    WITHIN_PERIOD,
    make_case,
    make_employee,
    tables_containing,
)
from triage.models import Response, ResponseMedical


def _run(dossier, today, **kwargs):
    return retention_run(tenant=dossier.tenant, today=today, **kwargs)


def _files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def test_months_before_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert months_before(dt.date(2025, 5, 1), 24) == dt.date(2023, 5, 1)
    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2025, 1, 15), 13) == dt.date(2023, 12, 15)


def test_case_past_its_period_leaves_no_personal_or_medical_data(full, media_root):
    texts = list(PERSONAL.values())
    assert set(tables_containing(texts)) == set(texts), "the scan must see them first"
    assert _files(media_root), "the documents have PDFs and a scan"
    access_log = list(MedicalAccessLog.objects.order_by("pk").values())
    assert access_log

    report = _run(full, PAST_PERIOD)

    assert tables_containing(texts) == {}
    assert _files(media_root) == []
    assert report.cases == 1
    assert report.employees == 1
    employee = Employee.objects.get(pk=full.employee.pk)
    assert employee.bsn == ""
    assert BSN not in str(Employee.objects.filter(pk=employee.pk).values().first())
    assert employee.date_of_birth is None
    case_ids = [full.case.pk]
    assert not ConsultMedical.objects.filter(consult__case_id__in=case_ids).exists()
    assert not ProbleemanalyseMedical.objects.filter(
        probleemanalyse__case_id__in=case_ids
    ).exists()
    assert not ResponseMedical.objects.filter(
        response__invitation__case_id__in=case_ids
    ).exists()
    # The medical access log is kept exactly as it was (NEN 7513).
    assert list(MedicalAccessLog.objects.order_by("pk").values()) == access_log


def test_anonymised_case_keeps_what_the_statistics_need(full):
    changes = list(
        WorkabilityChange.objects.filter(case=full.case)
        .order_by("effective_date")
        .values_list("effective_date", "percentage_unfit", "hours_worked")
    )
    _run(full, PAST_PERIOD)

    case = AbsenceCase.objects.select_related("employee__employer").get(pk=full.case.pk)
    assert case.first_sick_day == full.case.first_sick_day
    assert case.recovery_date == RECOVERY_DATE
    assert case.employee.employer == full.employer
    assert str(case.employee.contract_hours) == "24.0"
    assert case.employee.employment_end == full.employee.employment_end
    assert (
        list(
            WorkabilityChange.objects.filter(case=case)
            .order_by("effective_date")
            .values_list("effective_date", "percentage_unfit", "hours_worked")
        )
        == changes
    )
    assert (
        ContactNote.objects.filter(case=case)
        .values_list("contact_date", "channel")
        .count()
        == 1
    )


def test_the_employees_own_login_is_anonymised_when_nothing_else_needs_it(full):
    account_id = full.employee.user_id
    _run(full, PAST_PERIOD)
    account = User.objects.get(pk=account_id)
    assert not account.is_active
    assert account.full_name == ""
    assert PERSONAL["email"] not in account.email
    assert not account.has_usable_password()
    assert not Membership.objects.filter(user=account).exists()


def test_one_audit_event_per_case_without_personal_data(full):
    report = _run(full, PAST_PERIOD)
    events = AuditEvent.objects.filter(
        action="retention_case_anonymise", object_id=full.case.pk
    )
    assert events.count() == 1
    event = events.get()
    assert event.actor is None
    assert event.data["run"] == report.run.pk
    assert set(event.data["categories"]) == {
        "case_data",
        "contact_notes",
        "documents",
        "triage",
        "medical",
        "audit",
    }


def test_the_run_is_reported_in_counts(full):
    report = _run(full, PAST_PERIOD)
    run = RetentionRun.objects.get()
    assert run == report.run
    assert run.trigger == RetentionTrigger.NIGHTLY
    assert run.reference_date == PAST_PERIOD
    assert run.finished_at is not None
    assert run.complete
    assert (run.cases, run.employees) == (1, 1)
    assert run.files >= 3  # the plan's PDF, the evaluation's PDF and its scan
    assert run.counts["contact_notes"] == {"action": "anonymise", "rows": 1}
    assert run.counts["medical"]["action"] == "delete"
    assert run.counts["medical"]["rows"] == 3
    assert run.counts["employee"] == {"action": "anonymise", "rows": 1}


def test_case_within_its_period_is_left_alone(light):
    report = _run(light, WITHIN_PERIOD)
    assert report.cases == 0
    case = AbsenceCase.objects.get(pk=light.case.pk)
    assert case.agreements == PERSONAL["agreements"]
    assert not RetentionMark.objects.exists()


def test_employee_in_service_keeps_master_data_while_old_cases_are_emptied(light):
    _run(light, PAST_PERIOD)
    case = AbsenceCase.objects.get(pk=light.case.pk)
    assert (case.agreements, case.reachable_phone, case.reachable_address) == (
        "",
        "",
        "",
    )
    employee = Employee.objects.get(pk=light.employee.pk)
    assert employee.surname == PERSONAL["surname"]
    assert employee.bsn == BSN


def test_open_case_is_never_touched(scope_a):
    employee = make_employee(scope_a)
    case = make_case(scope_a, employee, recovery=None)
    report = retention_run(tenant=scope_a.tenant_a, today=dt.date(2040, 1, 1))
    assert report.cases == 0
    assert AbsenceCase.objects.get(pk=case.pk).agreements == PERSONAL["agreements"]
    assert Employee.objects.get(pk=employee.pk).surname == PERSONAL["surname"]


def test_a_chain_waits_for_its_last_case(scope_a):
    """A relapse within 28 days continues the sick period: the first case
    is past its period on its own, but not the chain."""
    employee = make_employee(scope_a)
    first = make_case(scope_a, employee, partial=False)
    relapse = make_case(
        scope_a,
        employee,
        first_sick_day=RECOVERY_DATE + dt.timedelta(days=10),
        recovery=dt.date(2023, 9, 1),
        partial=False,
    )
    assert relapse.previous_case_id == first.pk
    between = dt.date(2025, 6, 1)  # 24 months after the first, not the relapse

    assert retention_run(tenant=scope_a.tenant_a, today=between).cases == 0
    assert AbsenceCase.objects.get(pk=first.pk).agreements == PERSONAL["agreements"]

    report = retention_run(tenant=scope_a.tenant_a, today=dt.date(2025, 9, 1))
    assert report.cases == 2
    assert set(
        AbsenceCase.objects.filter(pk__in=[first.pk, relapse.pk]).values_list(
            "agreements", flat=True
        )
    ) == {""}


def test_a_chain_with_an_open_case_is_left_alone(scope_a):
    employee = make_employee(scope_a)
    first = make_case(scope_a, employee, partial=False)
    make_case(
        scope_a,
        employee,
        first_sick_day=RECOVERY_DATE + dt.timedelta(days=10),
        recovery=None,
        partial=False,
    )
    report = retention_run(tenant=scope_a.tenant_a, today=dt.date(2040, 1, 1))
    assert report.cases == 0
    assert AbsenceCase.objects.get(pk=first.pk).agreements == PERSONAL["agreements"]


def test_delete_action_deletes_the_case_and_all_its_rows(full, media_root):
    policy = retention_policy_for(tenant=full.tenant)
    for category in ("case_data", "contact_notes", "triage", "audit"):
        setattr(policy, f"{category}_action", RetentionAction.DELETE)
    policy.employee_action = RetentionAction.DELETE
    policy.save()
    access_log = list(MedicalAccessLog.objects.order_by("pk").values())

    report = _run(full, PAST_PERIOD)

    assert report.counts["case_data"] == {"action": "delete", "rows": 1}
    assert not AbsenceCase.objects.filter(pk=full.case.pk).exists()
    assert not Document.objects.filter(case_id=full.case.pk).exists()
    assert not Signature.objects.filter(document__case_id=full.case.pk).exists()
    assert not Response.objects.filter(invitation__case_id=full.case.pk).exists()
    assert _files(media_root) == []
    assert tables_containing(list(PERSONAL.values())) == {}
    # The access log refers to the employee, so the row stays, pseudonymised.
    assert list(MedicalAccessLog.objects.order_by("pk").values()) == access_log
    assert Employee.objects.get(pk=full.employee.pk).surname == "Geanonimiseerd"
    assert AuditEvent.objects.filter(
        action="retention_case_delete", object_id=full.case.pk
    ).exists()


def test_employee_without_cases_or_access_log_is_deleted_when_the_policy_says_so(
    scope_a,
):
    employee = make_employee(scope_a, employment_end=dt.date(2023, 6, 30))
    policy = retention_policy_for(tenant=scope_a.tenant_a)
    policy.employee_action = RetentionAction.DELETE
    policy.save()
    report = retention_run(tenant=scope_a.tenant_a, today=PAST_PERIOD)
    assert report.counts["employee"] == {"action": "delete", "rows": 1}
    assert not Employee.objects.filter(pk=employee.pk).exists()


def test_second_run_changes_nothing(full):
    _run(full, PAST_PERIOD)
    marks = RetentionMark.objects.count()
    events = AuditEvent.objects.count()

    again = _run(full, PAST_PERIOD + dt.timedelta(days=1))

    assert (again.cases, again.employees, again.files, again.counts) == (0, 0, 0, {})
    assert RetentionMark.objects.count() == marks
    assert AuditEvent.objects.count() == events


def test_dry_run_reports_and_writes_nothing(
    full, media_root, django_assert_max_num_queries
):
    files = _files(media_root)
    rows_before = {
        "events": AuditEvent.objects.count(),
        "notes": list(ContactNote.objects.values_list("summary", flat=True)),
    }
    report = _run(full, PAST_PERIOD, dry_run=True)

    assert report.run is None
    assert report.cases == 1
    assert report.employees == 1
    assert report.rows("contact_notes") == 1
    assert report.files == len(files)
    assert not RetentionRun.objects.exists()
    assert not RetentionMark.objects.exists()
    assert _files(media_root) == files
    assert AuditEvent.objects.count() == rows_before["events"]
    assert (
        list(ContactNote.objects.values_list("summary", flat=True))
        == (rows_before["notes"])
    )
    assert set(tables_containing([PERSONAL["surname"]])) == {PERSONAL["surname"]}


def test_eigenrisicodrager_keeps_everything_but_medical_five_years(full):
    full.employer.eigenrisicodrager_zw = True
    full.employer.save()

    report = _run(full, PAST_PERIOD)

    assert set(report.counts) == {"medical"}
    case = AbsenceCase.objects.get(pk=full.case.pk)
    assert case.agreements == PERSONAL["agreements"]
    assert not ConsultMedical.objects.filter(consult__case=case).exists()
    later = _run(full, dt.date(2028, 7, 1))
    assert later.cases == 1
    assert AbsenceCase.objects.get(pk=full.case.pk).agreements == ""


def test_longer_medical_period_keeps_the_employee_identifiable(full):
    """A tenant that keeps the bedrijfsarts' file in Hervat (WGBO, 20 years):
    the employee stays identifiable while medical data remains."""
    policy = retention_policy_for(tenant=full.tenant)
    policy.medical_months = 240
    policy.save()

    _run(full, PAST_PERIOD)

    assert ConsultMedical.objects.filter(consult__case=full.case).exists()
    assert Employee.objects.get(pk=full.employee.pk).surname == PERSONAL["surname"]
    assert AbsenceCase.objects.get(pk=full.case.pk).agreements == ""
    _run(full, dt.date(2043, 6, 1))
    assert not ConsultMedical.objects.filter(consult__case=full.case).exists()
    assert Employee.objects.get(pk=full.employee.pk).surname == "Geanonimiseerd"


@pytest.mark.parametrize("category", [c for c in RetentionCategory.values])
def test_every_category_has_a_default_period(db, category):
    policy = RetentionPolicy()
    assert policy.months_for(category, eigenrisicodrager=False) == 24
    assert policy.months_for(category, eigenrisicodrager=True) == (
        24 if category == "medical" else 60
    )


def test_medical_data_is_never_in_a_report_or_audit_event(full):
    report = _run(full, PAST_PERIOD)
    text = str(report.counts) + str(
        list(AuditEvent.objects.filter(action__startswith="retention_").values("data"))
    )
    for secret in MEDICAL.values():
        assert secret not in text


def test_pages_of_an_anonymised_case_still_open_for_who_may_see_them(full, login):
    from django.urls import reverse

    _run(full, PAST_PERIOD)
    client = login(full.user("casemanager"))
    slug = full.tenant.slug
    urls = [
        reverse("cases:case_detail", args=[slug, full.case.pk]),
        reverse("cases:employee_detail", args=[slug, full.employee.pk]),
        reverse("documents:case_documents", args=[slug, full.case.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert PERSONAL["surname"] not in response.text


def test_a_run_stops_at_its_limit_and_the_next_one_carries_on(scope_a):
    cases = [
        make_case(scope_a, make_employee(scope_a, number=f"Z-{n}"), partial=False)
        for n in range(3)
    ]
    first = retention_run(tenant=scope_a.tenant_a, today=PAST_PERIOD, limit=2)
    assert (first.cases, first.complete) == (2, False)
    assert not first.run.complete
    second = retention_run(tenant=scope_a.tenant_a, today=PAST_PERIOD, limit=2)
    assert (second.cases, second.complete) == (1, True)
    assert set(
        AbsenceCase.objects.filter(pk__in=[c.pk for c in cases]).values_list(
            "agreements", flat=True
        )
    ) == {""}
