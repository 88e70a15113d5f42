"""Oversized and wrong-type uploads, too many fields, and oversized API
bodies: each refused with a clear answer, nothing stored."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.tests.factories import EmployeeFactory
from documents.models import Document, DocumentKind, Signature
from documents.services import (
    SCAN_MAX_BYTES,
    document_create,
    document_signatures_request,
)
from integrations.imports.models import ImportRun
from integrations.imports.parsing import MAX_UPLOAD_BYTES
from integrations.models import ApiKeyScope
from integrations.services import api_key_create

T = "/t/tenant-a"
IMPORTS = "/beheer/imports/importrun/upload/"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def offered(world) -> Document:
    with tenant_scope(world.tenant_a):
        document = document_create(
            actor=world.user(Role.CASEMANAGER),
            case=world.a1_case,
            kind=DocumentKind.PLAN_VAN_AANPAK,
        )
        document_signatures_request(
            actor=world.user(Role.CASEMANAGER), document=document
        )
    return document


def _scan(client: Client, document: Document, upload: SimpleUploadedFile):
    return client.post(
        f"{T}/documenten/{document.pk}/scan/",
        {
            "scan": upload,
            "signed_on": timezone.localdate().isoformat(),
            "werkgever_name": "R. Houder",
            "werknemer_name": "J. de Vries",
        },
    )


def _no_signatures(world) -> bool:
    with tenant_scope(world.tenant_a):
        return not Signature.objects.exists()


def test_a_scan_over_10_mb_is_refused_on_the_field(world, login, offered):
    client = login(world.user(Role.REGIEHOUDER))
    too_big = b"%PDF-1.4\n" + b"0" * SCAN_MAX_BYTES
    response = _scan(client, offered, SimpleUploadedFile("scan.pdf", too_big))
    assert response.status_code == 200
    assert "De scan is te groot (hoogstens 10 MB)." in response.text
    assert _no_signatures(world)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", b"MZ\x90\x00\x03 an executable named .pdf"),
        ("scan.html", b"<html><script>alert(1)</script></html>"),
        ("scan.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("scan.pdf", b""),
    ],
)
def test_a_scan_that_is_not_a_pdf_or_image_is_refused(
    world, login, offered, name, content
):
    client = login(world.user(Role.REGIEHOUDER))
    response = _scan(client, offered, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    text = response.text
    assert (
        "Upload de scan als PDF, PNG of JPEG." in text
        or "Het verstuurde bestand is leeg." in text
    )
    assert _no_signatures(world)


def _import(client: Client, world, name: str, content: bytes):
    return client.post(
        IMPORTS,
        {
            "employer": world.employer_a1.pk,
            "file": SimpleUploadedFile(name, content),
            "encoding": "utf-8",
        },
    )


def _no_runs(world) -> bool:
    with tenant_scope(world.tenant_a):
        return not ImportRun.objects.exists()


@pytest.fixture
def tenant_admin(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get(f"{T}/beheer/").status_code == 302
    return client


def test_an_import_over_20_mb_is_refused_on_the_field(world, tenant_admin):
    content = b"personeelsnummer;achternaam\n" + b"1;x\n" * (MAX_UPLOAD_BYTES // 4)
    response = _import(tenant_admin, world, "export.csv", content)
    assert response.status_code == 200
    assert "Het bestand is groter dan 20 MB; splits het in delen." in response.text
    assert _no_runs(world)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("export.exe", b"MZ\x90\x00"),
        ("export.xlsx", b"this is not a zip file"),
        ("export.csv", b"\xff\xfe\x00\x00 binary \x00\x01\x02"),
    ],
)
def test_an_import_of_the_wrong_type_is_refused(world, tenant_admin, name, content):
    response = _import(tenant_admin, world, name, content)
    assert response.status_code == 200
    assert 'class="errorlist' in response.text or "errornote" in response.text
    assert _no_runs(world)


def test_a_body_over_the_global_limit_is_a_413_page_before_it_is_read(
    world, login, settings
):
    settings.MAX_REQUEST_BYTES = 64 * 1024
    client = login(world.user(Role.LEIDINGGEVENDE))
    response = client.post(
        f"{T}/ziekmelden/",
        {"agreements": "x" * (65 * 1024)},
    )
    assert response.status_code == 413
    assert "Het bestand of formulier is te groot" in response.text
    assert "The file or form is too large" in response.text


def test_form_fields_over_the_memory_limit_are_a_413_page(world, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = login(world.user(Role.LEIDINGGEVENDE))
    response = client.post(f"{T}/ziekmelden/", {"agreements": "x" * 20_000})
    assert response.status_code == 413
    assert "Het bestand of formulier is te groot" in response.text


def test_too_many_fields_are_a_400_page(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    response = client.post(f"{T}/ziekmelden/", {f"f{i}": "x" for i in range(1001)})
    assert response.status_code == 400
    assert "Dit verzoek kon niet worden verwerkt" in response.text
    with tenant_scope(world.tenant_a):
        assert not world.team_employee.cases.exclude(pk=world.team_case.pk).exists()


@pytest.fixture
def api(world) -> APIClient:
    with tenant_scope(world.tenant_a):
        _key, secret = api_key_create(
            actor=world.user(Role.TENANT_ADMIN),
            tenant=world.tenant_a,
            name="Salarissysteem",
            scope=ApiKeyScope.WRITE,
            employers=[],
            all_employers=True,
            rate_limit_per_minute=600,
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _too_large_problem(response) -> None:
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:hervat:problem:request-too-large"


@pytest.mark.parametrize("idempotency_key", [None, "groot-1"])
def test_an_api_body_over_1_mb_is_a_413_problem(world, api, idempotency_key):
    body = json.dumps(
        {
            "employer": world.employer_a1.pk,
            "personnel_number": "HR-1",
            "first_sick_day": timezone.localdate().isoformat(),
            "padding": "x" * (1024 * 1024),
        }
    )
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = api.post(
        "/api/v1/ziekmeldingen/", body, content_type="application/json", **headers
    )
    _too_large_problem(response)


def test_an_api_body_over_the_global_limit_is_a_413_problem(world, api, settings):
    settings.MAX_REQUEST_BYTES = 64 * 1024
    response = api.post(
        "/api/v1/ziekmeldingen/",
        json.dumps({"padding": "x" * (65 * 1024)}),
        content_type="application/json",
    )
    _too_large_problem(response)


def test_an_api_body_under_the_limit_still_works(world, api):
    with tenant_scope(world.tenant_a):
        EmployeeFactory(employer=world.employer_a1, personnel_number="HR-9")
    response = api.post(
        "/api/v1/ziekmeldingen/",
        {
            "employer": world.employer_a1.pk,
            "personnel_number": "HR-9",
            "first_sick_day": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
