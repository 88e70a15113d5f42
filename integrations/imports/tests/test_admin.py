"""Werknemers importeren in the tenant admin: the whole walk, the BSN never in
clear on a page, tenant isolation and who may use it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership, Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import UserFactory
from cases.models import Employee
from integrations.imports.models import ImportRun, ImportStatus
from integrations.imports.tasks import import_run_execute_task, import_run_plan_task
from integrations.imports.tests.helpers import csv_bytes, dry_run, person, valid_bsn

BASE = "/beheer/imports/importrun/"


@pytest.fixture
def admin_a(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302
    return client


@pytest.fixture
def admin_b(world, login):
    user = UserFactory(email="admin@tenant-b.test")
    with tenant_scope(world.tenant_b):
        Membership.objects.create(
            tenant=world.tenant_b, user=user, role=Role.TENANT_ADMIN
        )
    client = login(user)
    assert client.get("/t/tenant-b/beheer/").status_code == 302
    return client


def _upload(client, employer, content, name="export.csv", encoding="utf-8"):
    return client.post(
        f"{BASE}upload/",
        {
            "employer": employer.pk,
            "file": SimpleUploadedFile(name, content),
            "encoding": encoding,
        },
    )


def _only_run(world):
    with tenant_scope(world.tenant_a):
        return ImportRun.objects.get()


def test_admin_walks_upload_mapping_dry_run_and_import(
    world, admin_a, django_capture_on_commit_callbacks
):
    with tenant_scope(world.tenant_a):
        existing = world.a1_employee
        existing_bsn = existing.bsn
    new_bsn, changed_bsn = valid_bsn(21), valid_bsn(22)
    rows = [
        person("A1", **{"BSN": new_bsn}),
        person(
            existing.personnel_number,
            **{"BSN": changed_bsn, "Achternaam": existing.surname},
        ),
    ]
    pages = []
    response = _upload(admin_a, world.employer_a1, csv_bytes(rows))
    assert response.status_code == 302
    run = _only_run(world)
    assert response["Location"].endswith(f"{BASE}{run.pk}/mapping/")

    mapping = admin_a.get(response["Location"])
    pages.append(mapping)
    assert mapping.status_code == 200
    assert 'value="Personeelsnummer" selected' in mapping.text
    columns = {key: header for key, header in run.columns.items()}
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_a.post(response["Location"], columns)
    assert response.status_code == 302
    assert len(callbacks) == 1
    busy = admin_a.get(response["Location"])
    assert "data-import-progress" in busy.text
    progress = admin_a.get(f"{BASE}{run.pk}/progress/").json()
    assert progress["status"] == "planning" and progress["busy"] is True

    assert import_run_plan_task(run.pk, world.tenant_a.pk) == ImportStatus.DRY_RUN
    plan = admin_a.get(f"{BASE}{run.pk}/change/")
    pages.append(plan)
    assert "Proefrun klaar" in plan.text
    assert "Anna" in plan.text and "******" in plan.text
    assert 'action="/beheer/imports/importrun/' in plan.text

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_a.post(f"{BASE}{run.pk}/confirm/")
    assert len(callbacks) == 1
    assert import_run_execute_task(run.pk, world.tenant_a.pk) == ImportStatus.DONE
    result = admin_a.get(f"{BASE}{run.pk}/change/")
    pages.append(result)
    pages.append(admin_a.get(BASE))
    assert "Klaar" in result.text
    with tenant_scope(world.tenant_a):
        assert Employee.objects.get(personnel_number="A1").bsn == new_bsn
        assert Employee.objects.get(pk=existing.pk).bsn == changed_bsn
    for page in pages:
        for bsn in (new_bsn, changed_bsn, existing_bsn):
            assert bsn not in page.text


def test_upload_errors_are_shown_on_the_form(world, admin_a):
    response = _upload(
        admin_a,
        world.employer_a1,
        csv_bytes([person("X1", **{"Achternaam": "Müller"})], encoding="cp1252"),
    )
    assert response.status_code == 200
    assert "UTF-8" in response.text
    response = _upload(admin_a, world.employer_a1, b"%PDF-1.4", name="scan.pdf")
    assert response.status_code == 200
    assert "CSV" in response.text
    with tenant_scope(world.tenant_a):
        assert not ImportRun.objects.exists()


def test_missing_required_column_is_one_message_on_the_mapping_page(world, admin_a):
    _upload(admin_a, world.employer_a1, csv_bytes([person("X2")]))
    run = _only_run(world)
    columns = {k: v for k, v in run.columns.items() if k != "surname"}
    response = admin_a.post(f"{BASE}{run.pk}/mapping/", columns)
    assert response.status_code == 200
    assert "Deze verplichte kolommen ontbreken: Achternaam." in response.text


def test_dry_run_with_errors_cannot_be_confirmed(world, admin_a):
    with tenant_scope(world.tenant_a):
        run = dry_run(world, csv_bytes([person("X3", **{"BSN": "123456789"})]))
    page = admin_a.get(f"{BASE}{run.pk}/change/")
    assert "elfproef" in page.text
    assert "123456789" not in page.text
    assert f"{BASE}{run.pk}/confirm/" not in page.text
    admin_a.post(f"{BASE}{run.pk}/confirm/")
    with tenant_scope(world.tenant_a):
        assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.DRY_RUN
        assert not Employee.objects.filter(personnel_number="X3").exists()


def test_long_error_list_is_paginated(world, admin_a):
    rows = [person(f"E{i}", **{"Datum in dienst": "gisteren"}) for i in range(60)]
    with tenant_scope(world.tenant_a):
        run = dry_run(world, csv_bytes(rows))
    first = admin_a.get(f"{BASE}{run.pk}/change/")
    assert first.text.count("gisteren") == 50
    second = admin_a.get(f"{BASE}{run.pk}/change/?errors=2")
    assert second.text.count("gisteren") == 10


def test_tenant_b_admin_cannot_see_or_import_into_tenant_a(world, admin_a, admin_b):
    with tenant_scope(world.tenant_a):
        run = dry_run(world, csv_bytes([person("B1")]))
    for url in (
        f"{BASE}{run.pk}/change/",
        f"{BASE}{run.pk}/mapping/",
        f"{BASE}{run.pk}/progress/",
        f"{BASE}upload/?employer={world.employer_a1.pk}",
    ):
        assert admin_b.get(url).status_code == 404, url
    assert admin_b.post(f"{BASE}{run.pk}/confirm/").status_code == 404
    response = _upload(admin_b, world.employer_a1, csv_bytes([person("B2")]))
    assert response.status_code == 404
    listing = admin_b.get(BASE)
    assert listing.status_code == 200
    assert "export.csv" not in listing.text
    with tenant_scope(world.tenant_a):
        assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.DRY_RUN
        assert not Employee.objects.filter(personnel_number="B2").exists()


@pytest.mark.parametrize(
    "role", [Role.HR, Role.REGIEHOUDER, Role.CASEMANAGER, Role.LEIDINGGEVENDE]
)
def test_only_tenant_admin_uses_the_import(world, login, role):
    with tenant_scope(world.tenant_a):
        run = dry_run(world, csv_bytes([person("C1")]))
    client = login(world.user(role))
    assert client.get("/t/tenant-a/beheer/").status_code == 404
    for url in (BASE, f"{BASE}upload/", f"{BASE}{run.pk}/change/"):
        assert client.get(url).status_code == 404, url


def test_import_is_on_the_admin_index(world, admin_a):
    index = admin_a.get("/beheer/")
    assert "Imports van werknemers" in index.text
    listing = admin_a.get(BASE)
    assert f"{BASE}upload/" in listing.text
    assert "Werknemers importeren" in listing.text


def test_runs_list_query_count_does_not_grow(
    world, admin_a, django_assert_max_num_queries
):
    with tenant_scope(world.tenant_a):
        dry_run(world, csv_bytes([person("L1")]))
    with django_assert_max_num_queries(12) as few:
        admin_a.get(BASE)
    with tenant_scope(world.tenant_a):
        for i in range(8):
            dry_run(world, csv_bytes([person(f"L{i + 2}")]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_a.get(BASE)
    assert len(re.findall(r"export\.csv", page.text)) == 9
