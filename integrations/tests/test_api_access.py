"""Who sees what through the API: per portal role, per key scope and
employer restriction, across tenants; and no medical data in any answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.scoping import tenant_scope
from integrations.models import ApiKeyScope
from integrations.services import api_key_revoke
from poortwachter.models import Task, TaskSource
from poortwachter.services import consult_record, probleemanalyse_record
from tests.fixtures import verified_login
from triage.models import Questionnaire
from triage.services import invitation_create, response_save

TODAY = timezone.localdate()
ANAMNESE = "Hernia L5-S1 met uitstraling"
CONSULT = "Slaapt slecht door de pijnstillers"
COMPLAINT = "Migraine met aura sinds maart"


def _case_ids(client: APIClient) -> set[int]:
    response = client.get("/api/v1/cases/?page_size=200")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.WERKNEMER, {"own_case"}),
        (Role.LEIDINGGEVENDE, {"team_case", "own_case"}),
        (Role.HR, {"team_case", "own_case", "a1_case"}),
        (Role.REGIEHOUDER, {"team_case", "own_case", "a1_case", "a2_case"}),
        (Role.CASEMANAGER, {"team_case", "own_case", "a1_case", "a2_case"}),
        (Role.BEDRIJFSARTS, {"team_case", "a3_case"}),
        (Role.TENANT_ADMIN, set()),
    ],
)
def test_each_portal_role_sees_through_the_api_what_it_sees_in_the_portal(
    world, role, expected
):
    client = APIClient()
    verified_login(client, world.user(role))
    assert _case_ids(client) == {getattr(world, name).pk for name in expected}


@pytest.mark.parametrize("role", [Role.WERKNEMER, Role.BEDRIJFSARTS, Role.TENANT_ADMIN])
def test_roles_that_do_not_report_sickness_get_403(world, role):
    client = APIClient()
    verified_login(client, world.user(role))
    response = client.post(
        "/api/v1/ziekmeldingen/",
        {"employee": world.own_employee.pk, "first_sick_day": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert response["Content-Type"] == "application/problem+json"


def test_a_read_only_key_reads_and_may_not_write(world, api):
    client = api(scope=ApiKeyScope.READ)
    assert client.get("/api/v1/cases/").status_code == 200
    response = client.post(
        f"/api/v1/cases/{world.a1_case.pk}/hersteldmeldingen/",
        {"effective_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:hervat:problem:read-only-key"
    with tenant_scope(world.tenant_a):
        assert world.a1_case.workability_changes.count() == 1


def test_a_key_restricted_to_one_employer_sees_only_that_employer(world, api):
    client = api(employers=[world.employer_a2])
    assert _case_ids(client) == {world.a2_case.pk}
    employers = client.get("/api/v1/employers/").json()["results"]
    assert [e["id"] for e in employers] == [world.employer_a2.pk]
    # Another employer's case and employee are not there at all.
    assert client.get(f"/api/v1/cases/{world.a1_case.pk}/").status_code == 404
    response = client.post(
        "/api/v1/ziekmeldingen/",
        {"employee": world.a1_employee.pk, "first_sick_day": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 404


def test_an_all_employers_key_also_covers_an_employer_added_later(world, api):
    from cases.tests.factories import EmployerFactory

    client = api()
    with tenant_scope(world.tenant_a):
        later = EmployerFactory(tenant=world.tenant_a, name="A4 Later")
    ids = {e["id"] for e in client.get("/api/v1/employers/").json()["results"]}
    assert later.pk in ids


def test_another_tenants_objects_are_404_for_every_operation(world, api, make_key):
    with tenant_scope(world.tenant_a):
        task = Task.objects.create(
            tenant=world.tenant_a,
            case=world.a1_case,
            source=TaskSource.LEGAL,
            key="k",
            title="t",
            assignee_role="casemanager",
            due_date=TODAY,
            plan_by=TODAY,
        )
    client_b = api(tenant=world.tenant_b)
    a = world.a1_case.pk
    for url in (
        f"/api/v1/cases/{a}/",
        f"/api/v1/cases/{a}/timeline/",
        f"/api/v1/employees/{world.a1_employee.pk}/",
        f"/api/v1/employers/{world.employer_a1.pk}/",
        "/api/v1/documents/999999/pdf/",
    ):
        assert client_b.get(url).status_code == 404, url
    for url, body in (
        (f"/api/v1/cases/{a}/hersteldmeldingen/", {"effective_date": "2026-11-20"}),
        (f"/api/v1/tasks/{task.pk}/complete/", {}),
        (
            "/api/v1/ziekmeldingen/",
            {"employee": world.a1_employee.pk, "first_sick_day": "2026-11-20"},
        ),
    ):
        assert client_b.post(url, body, format="json").status_code == 404, url
    assert _case_ids(client_b) == {world.b_case.pk}
    with tenant_scope(world.tenant_a):
        task.refresh_from_db()
        assert task.status == "open"


def test_a_session_user_naming_a_tenant_without_membership_gets_404(world):
    client = APIClient()
    verified_login(client, world.casemanager_b)
    response = client.get("/api/v1/cases/", HTTP_HERVAT_TENANT="tenant-a")
    assert response.status_code == 404
    own = client.get("/api/v1/cases/", HTTP_HERVAT_TENANT="tenant-b")
    assert {c["id"] for c in own.json()["results"]} == {world.b_case.pk}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer hvk_nope_nope", "Bearer ", "Basic dXNlcjpwYXNz", "hvk_abc"],
)
def test_unknown_keys_and_schemes_are_401(world, authorization):
    client = APIClient()
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working_at_once(world, make_key):
    from integrations.selectors import api_key_for_secret

    secret = make_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/cases/").status_code == 200
    key = api_key_for_secret(secret)
    with tenant_scope(world.tenant_a):
        api_key_revoke(actor=world.user("tenant_admin"), key=key)
    assert client.get("/api/v1/cases/").status_code == 401


def test_a_tampered_secret_with_a_real_prefix_is_401(world, make_key):
    secret = make_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret[:-2]}xx")
    assert client.get("/api/v1/cases/").status_code == 401


@pytest.fixture
def medical_case(world):
    """The team case with a probleemanalyse, a consult and triage answers,
    all holding medical text in their medical parts."""
    case = world.team_case
    physician = world.user(Role.BEDRIJFSARTS)
    with tenant_scope(world.tenant_a):
        probleemanalyse_record(
            actor=physician,
            case=case,
            kind="eerste",
            made_on=TODAY,
            limitations="Niet tillen boven 10 kg",
            advice="Aangepast werk, halve dagen",
            anamnesis=ANAMNESE,
            assessment=ANAMNESE,
            treatment=ANAMNESE,
            today=TODAY,
        )
        consult_record(
            actor=physician,
            case=case,
            held_on=TODAY,
            kind="spreekuur",
            notes=CONSULT,
            today=TODAY,
        )
        invitation = invitation_create(
            actor=None,
            case=case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
        response_save(
            invitation=invitation,
            section="gezondheid",
            answers={"complaints": COMPLAINT, "treatment": "waiting"},
        )
    return case


def _every_get(client: APIClient, case_id: int) -> list[tuple[str, bytes]]:
    """Every read operation of the API, following the list's links."""
    urls = [
        "/api/v1/employers/",
        "/api/v1/employees/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case_id}/",
        f"/api/v1/cases/{case_id}/timeline/",
        "/api/v1/tasks/",
        f"/api/v1/tasks/?case={case_id}",
        "/api/v1/documents/",
    ]
    seen = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        seen.append((url, response.content))
    return seen


@pytest.mark.parametrize(
    "who",
    [
        Role.LEIDINGGEVENDE,
        Role.HR,
        Role.REGIEHOUDER,
        Role.CASEMANAGER,
        Role.BEDRIJFSARTS,
        "casemanager_td",
        "key",
    ],
)
def test_no_medical_data_in_any_api_answer(world, api, medical_case, who):
    """Not for the employer side, not for a key; and the API has no medical
    operation at all, so the bedrijfsarts's medical reads stay in the
    portal, where each one is logged."""
    if who == "key":
        client = api()
    else:
        client = APIClient()
        verified_login(client, world.user(who))
    for url, body in _every_get(client, medical_case.pk):
        text = body.decode()
        for secret in (ANAMNESE, CONSULT, COMPLAINT, "Migraine", "Hernia"):
            assert secret not in text, (who, url)
    spec = APIClient().get("/api/v1/schema/?format=json").json()
    assert not [p for p in spec["paths"] if "medical" in p or "consult" in p]


def test_completing_a_task_needs_a_write_key_or_the_task(world, api):
    with tenant_scope(world.tenant_a):
        task = Task.objects.create(
            tenant=world.tenant_a,
            case=world.team_case,
            source=TaskSource.PROTOCOL,
            key="k",
            title="Wekelijks contact",
            assignee_role="casemanager",
            assignee=world.user(Role.CASEMANAGER),
            due_date=TODAY,
            plan_by=TODAY,
        )
    manager = APIClient()
    verified_login(manager, world.user(Role.LEIDINGGEVENDE))
    response = manager.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert response.status_code == 403
    assert (
        api(scope=ApiKeyScope.READ)
        .post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
        .status_code
        == 403
    )
    assert (
        api()
        .post(
            f"/api/v1/tasks/{task.pk}/complete/",
            {"completed_on": (TODAY - dt.timedelta(days=1)).isoformat()},
            format="json",
        )
        .status_code
        == 200
    )
