"""The REST API's operations as an HR or payroll system uses them: report
sickness and recovery, read cases, tasks, documents and the timeline, and
get a clear problem+json answer for every mistake."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, CaseStatus
from cases.tests.factories import EmployeeFactory
from documents.models import Document, DocumentKind, DocumentStatus
from poortwachter.models import Task, TaskSource, TaskStatus
from tests.fixtures import verified_login

PROBLEM = "application/problem+json"
TODAY = timezone.localdate()


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:hervat:problem:{slug}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.fixture
def fit_employee(scope_a):
    return EmployeeFactory(employer=scope_a.employer_a1, personnel_number="HR-4711")


def test_ziekmelding_by_personnel_number_opens_a_case(world, api, fit_employee):
    response = api().post(
        "/api/v1/ziekmeldingen/",
        {
            "employer": world.employer_a1.pk,
            "personnel_number": "HR-4711",
            "first_sick_day": TODAY.isoformat(),
            "expected_duration": "weeks",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["employee"]["personnel_number"] == "HR-4711"
    assert body["status"] == "open"
    assert body["percentage_unfit"] == 100
    assert body["reference"] == f"VZ-{body['id']:06d}"
    assert response["Location"] == f"/api/v1/cases/{body['id']}/"
    with tenant_scope(world.tenant_a):
        case = AbsenceCase.objects.get(pk=body["id"])
        assert case.employee == fit_employee
        assert case.expected_duration == "weeks"
        # The key's own account reported it: the audit trail says who.
        assert case.reported_by.full_name == "API: Salarissysteem"


def test_second_ziekmelding_for_an_open_case_is_a_409_not_a_second_case(
    world, api, fit_employee
):
    client = api()
    body = {"employee": fit_employee.pk, "first_sick_day": TODAY.isoformat()}
    assert client.post("/api/v1/ziekmeldingen/", body, format="json").status_code == 201
    problem = _problem(
        client.post("/api/v1/ziekmeldingen/", body, format="json"),
        409,
        "case-already-open",
    )
    assert "open verzuimdossier" in problem["detail"]
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.filter(employee=fit_employee).count() == 1


def test_ziekmelding_input_errors_name_each_field(api, fit_employee):
    problem = _problem(
        api().post(
            "/api/v1/ziekmeldingen/",
            {"employee": fit_employee.pk, "first_sick_day": "31-02-2026"},
            format="json",
        ),
        400,
        "validation-error",
    )
    assert [e["pointer"] for e in problem["errors"]] == ["/first_sick_day"]
    problem = _problem(
        api().post("/api/v1/ziekmeldingen/", {}, format="json"),
        400,
        "validation-error",
    )
    assert {e["pointer"] for e in problem["errors"]} == {"/first_sick_day"}
    # Neither an id nor employer + personnel number.
    problem = _problem(
        api().post(
            "/api/v1/ziekmeldingen/",
            {"first_sick_day": TODAY.isoformat()},
            format="json",
        ),
        400,
        "validation-error",
    )
    assert problem["errors"][0]["pointer"] == "/employee"


def test_a_domain_rule_is_a_business_rule_problem_with_the_field(api, fit_employee):
    future = TODAY + dt.timedelta(days=5)
    problem = _problem(
        api().post(
            "/api/v1/ziekmeldingen/",
            {"employee": fit_employee.pk, "first_sick_day": future.isoformat()},
            format="json",
        ),
        400,
        "business-rule",
    )
    assert problem["errors"] == [
        {"pointer": "/first_sick_day", "detail": problem["detail"]}
    ]


def test_errors_speak_english_when_asked(api, fit_employee):
    client = api()
    response = client.post(
        "/api/v1/ziekmeldingen/",
        {"employee": fit_employee.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["detail"] == "Not all fields are filled in correctly."


def test_malformed_json_wrong_media_type_and_unknown_routes_are_problems(api):
    client = api()
    _problem(
        client.generic(
            "POST", "/api/v1/ziekmeldingen/", "{not json", "application/json"
        ),
        400,
        "validation-error",
    )
    _problem(
        client.post("/api/v1/ziekmeldingen/", "a=b", content_type="text/plain"),
        415,
        "unsupported-media-type",
    )
    _problem(client.get("/api/v1/no-such-thing/"), 404, "not-found")
    _problem(client.delete("/api/v1/cases/"), 405, "method-not-allowed")
    _problem(client.get("/api/v1/cases/?status=lost"), 400, "validation-error")
    _problem(
        client.get("/api/v1/cases/?first_sick_day_from=gisteren"),
        400,
        "validation-error",
    )


def test_full_and_partial_hersteldmelding(world, api):
    client = api()
    case = world.a1_case
    partial = client.post(
        f"/api/v1/cases/{case.pk}/hersteldmeldingen/",
        {
            "effective_date": TODAY.isoformat(),
            "percentage_fit": 50,
            "hours_worked": "16.0",
        },
        format="json",
    )
    assert partial.status_code == 201, partial.content
    assert partial.json()["percentage_unfit"] == 50
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["percentage_unfit"] == 50
    full = client.post(
        f"/api/v1/cases/{case.pk}/hersteldmeldingen/",
        {"effective_date": (TODAY + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert full.status_code == 201, full.content
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["status"] == CaseStatus.RECOVERED
    assert detail["recovery_date"] == (TODAY + dt.timedelta(days=1)).isoformat()
    again = client.post(
        f"/api/v1/cases/{case.pk}/hersteldmeldingen/",
        {"effective_date": (TODAY + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    _problem(again, 400, "business-rule")


def test_case_list_filters_and_cursor_pages(world, api):
    client = api()
    page = client.get("/api/v1/cases/?page_size=2")
    assert page.status_code == 200
    first = page.json()
    assert len(first["results"]) == 2 and first["next"]
    ids = [c["id"] for c in first["results"]]
    following = first["next"]
    while following:
        page = client.get(following).json()
        ids += [c["id"] for c in page["results"]]
        following = page["next"]
    assert len(ids) == len(set(ids)) == 5  # every case of tenant A, once
    only_a2 = client.get(f"/api/v1/cases/?employer={world.employer_a2.pk}").json()
    assert [c["id"] for c in only_a2["results"]] == [world.a2_case.pk]
    by_employee = client.get(f"/api/v1/cases/?employee={world.a1_employee.pk}").json()
    assert [c["id"] for c in by_employee["results"]] == [world.a1_case.pk]


def test_employee_lookup_by_personnel_number(world, api):
    listing = api().get(
        f"/api/v1/employees/?employer={world.employer_a1.pk}"
        f"&personnel_number={world.a1_employee.personnel_number}"
    )
    results = listing.json()["results"]
    assert [e["id"] for e in results] == [world.a1_employee.pk]
    # The BSN is accepted on writes and never returned.
    assert "bsn" not in results[0]


def test_timeline_is_the_rules_engines_document(world, api):
    body = api().get(f"/api/v1/cases/{world.a1_case.pk}/timeline/").json()
    first = world.a1_case.first_sick_day
    assert body["counted_period_first_sick_day"] == first.isoformat()
    # Week 42 report: due in week 42 of sickness (poortwachter-rules.md).
    due = dt.date.fromisoformat(body["deadlines"]["uwv_42_week_melding_due"])
    assert 41 * 7 <= (due - first).days <= 42 * 7
    assert body["chain_case_ids"] == [world.a1_case.pk]


@pytest.fixture
def open_task(scope_a):
    return Task.objects.create(
        tenant=scope_a.tenant_a,
        case=scope_a.a1_case,
        source=TaskSource.LEGAL,
        key="uwv_vangnet_melding",
        title="Ziekmelding doorgeven aan UWV",
        assignee_role="casemanager",
        due_date=TODAY,
        plan_by=TODAY,
    )


def test_tasks_are_listed_and_completed_once(world, api, open_task):
    client = api()
    listed = client.get(f"/api/v1/tasks/?case={world.a1_case.pk}&status=open").json()
    assert open_task.pk in [t["id"] for t in listed["results"]]
    done = client.post(
        f"/api/v1/tasks/{open_task.pk}/complete/",
        {"note": "Doorgegeven via het salarissysteem"},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == TaskStatus.DONE
    _problem(
        client.post(f"/api/v1/tasks/{open_task.pk}/complete/", {}, format="json"),
        400,
        "business-rule",
    )


@pytest.fixture
def signed_document(scope_a):
    document = Document.objects.create(
        tenant=scope_a.tenant_a,
        case=scope_a.a1_case,
        kind=DocumentKind.PLAN_VAN_AANPAK,
        status=DocumentStatus.ONDERTEKEND,
        template_version="test",
    )
    return document


def test_documents_list_and_a_pdf_that_is_not_ready_yet(world, api, signed_document):
    client = api()
    listed = client.get(f"/api/v1/documents/?case={world.a1_case.pk}").json()
    [row] = listed["results"]
    assert row["kind"] == "plan_van_aanpak"
    assert row["download_url"] == f"/api/v1/documents/{signed_document.pk}/pdf/"
    # Without a stored PDF the documents queue renders it: ask again later.
    pending = client.get(row["download_url"])
    assert pending.status_code == 202
    assert pending["Retry-After"] == "5"


def test_a_stored_current_pdf_is_downloaded(world, api, signed_document, monkeypatch):
    from documents import services

    with tenant_scope(world.tenant_a):
        signed_document.pdf.save("plan.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    monkeypatch.setattr(services, "document_pdf_is_current", lambda document: True)
    response = api().get(f"/api/v1/documents/{signed_document.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases/", "/api/v1/employees/", "/api/v1/tasks/", "/api/v1/documents/"],
)
def test_list_queries_do_not_grow_with_rows(
    world, api, url, django_assert_max_num_queries
):
    client = api()
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with tenant_scope(world.tenant_a):
        for _ in range(6):
            employee = EmployeeFactory(employer=world.employer_a2)
            case = AbsenceCase.objects.create(
                tenant=world.tenant_a,
                employee=employee,
                first_sick_day=TODAY,
                reported_at=world.a1_case.reported_at,
            )
            Task.objects.create(
                tenant=world.tenant_a,
                case=case,
                source=TaskSource.LEGAL,
                key="x",
                title="x",
                assignee_role="casemanager",
                due_date=TODAY,
                plan_by=TODAY,
            )
            Document.objects.create(
                tenant=world.tenant_a,
                case=case,
                kind=DocumentKind.PLAN_VAN_AANPAK,
                template_version="test",
            )
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_schema_and_docs_are_served_without_a_key(client):
    schema = client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/ziekmeldingen/" in spec["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # Swagger UI from our own static files, not a CDN.
    assert b"cdn.jsdelivr" not in docs.content


def test_rate_limit_per_key_is_a_429_with_retry_after(api):
    client = api(rate=3)
    for _ in range(3):
        assert client.get("/api/v1/employers/").status_code == 200
    problem = _problem(client.get("/api/v1/employers/"), 429, "throttled")
    assert problem["detail"]
    assert int(client.get("/api/v1/employers/")["Retry-After"]) >= 1


def test_portal_session_works_for_the_api(world, login):
    client = login(world.user("hr"))
    cases = client.get("/api/v1/cases/").json()["results"]
    # HR of A1 Bouw sees the cases of that employer only.
    assert {c["employer"] for c in cases} == {world.employer_a1.pk}


def test_portal_session_post_needs_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    verified_login(client, world.user("hr"))
    response = client.post(
        "/api/v1/ziekmeldingen/",
        {"employee": world.a1_employee.pk, "first_sick_day": TODAY.isoformat()},
        format="json",
    )
    _problem(response, 403, "permission-denied")


def _upsert_url(employer_id: int, number: str) -> str:
    return f"/api/v1/employers/{employer_id}/employees/{number}/"


def test_employee_upsert_creates_then_updates_by_personnel_number(world, api):
    from accounts.models import AuditEvent
    from cases.models import Employee

    client = api()
    url = _upsert_url(world.employer_a2.pk, "AFAS-0042")
    created = client.put(
        url,
        {
            "surname": "Jansen",
            "initials": "J.",
            "bsn": "111222333",
            "employment_start": "2020-03-01",
            "contract_hours": "32.0",
            "manager_email": world.user("leidinggevende").email,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["personnel_number"] == "AFAS-0042"
    assert body["contract_hours"] == 32.0
    assert body["manager_email"] == world.user("leidinggevende").email
    assert "bsn" not in body
    assert created["Location"] == f"/api/v1/employees/{body['id']}/"
    updated = client.put(url, {"contract_hours": "24.0"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["contract_hours"] == 24.0
    assert updated.json()["surname"] == "Jansen"  # untouched fields stay
    with tenant_scope(world.tenant_a):
        events = AuditEvent.objects.filter(object_id=body["id"]).count()
    unchanged = client.put(url, {"contract_hours": "24.0"}, format="json")
    assert unchanged.status_code == 200
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(object_id=body["id"]).count() == events
        employee = Employee.objects.get(pk=body["id"])
        assert employee.bsn == "111222333"
        assert Employee.objects.filter(personnel_number="AFAS-0042").count() == 1


def test_employee_upsert_errors_name_the_field_and_write_nothing(world, api):
    from cases.models import Employee

    url = _upsert_url(world.employer_a2.pk, "AFAS-0043")
    bad_bsn = api().put(
        url,
        {"surname": "Smit", "employment_start": "2021-01-01", "bsn": "123456789"},
        format="json",
    )
    problem = _problem(bad_bsn, 400, "business-rule")
    assert problem["errors"][0]["pointer"] == "/bsn"
    missing = api().put(url, {"initials": "K."}, format="json")
    assert _problem(missing, 400, "business-rule")["errors"][0]["pointer"] in (
        "/surname",
        "/employment_start",
    )
    unknown_manager = api().put(
        url,
        {
            "surname": "Smit",
            "employment_start": "2021-01-01",
            "manager_email": "niemand@example.test",
        },
        format="json",
    )
    assert (
        "niemand@example.test"
        in _problem(unknown_manager, 400, "business-rule")["detail"]
    )
    with tenant_scope(world.tenant_a):
        assert not Employee.objects.filter(personnel_number="AFAS-0043").exists()


def test_employee_upsert_access(world, api, login):
    url = _upsert_url(world.employer_a1.pk, "X-1")
    body = {"surname": "Visser", "employment_start": "2022-02-01"}
    assert api(scope="read").put(url, body, format="json").status_code == 403
    restricted = api(employers=[world.employer_a2])
    assert restricted.put(url, body, format="json").status_code == 404
    hr = APIClient()
    verified_login(hr, world.user("hr"))
    assert hr.put(url, body, format="json").status_code == 403
    admin = APIClient()
    verified_login(admin, world.user("tenant_admin"))
    assert admin.put(url, body, format="json").status_code == 201
