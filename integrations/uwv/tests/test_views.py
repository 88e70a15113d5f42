"""The portal: who may export, what the page shows (never the full BSN),
downloads that are never cached, the package built on the documents queue,
and an audit event for every export without the BSN in it."""

import json
import logging

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from integrations.uwv.tasks import uwv_riv_package_build_task
from integrations.uwv.tests.conftest import BSN
from integrations.uwv.tests.helpers import unzip

BASE = "/t/tenant-a"


def _urls(case_pk, base=BASE):
    root = f"{base}/dossiers/{case_pk}/uwv/"
    return [
        root,
        f"{root}ziekmelding-42e-week.pdf",
        f"{root}ziekmelding-42e-week.json",
        f"{root}ziekmelding-42e-week.csv",
        f"{root}re-integratieverslag.zip",
    ]


@pytest.mark.parametrize("role", [Role.HR, Role.REGIEHOUDER, Role.CASEMANAGER])
def test_hr_regiehouder_and_casemanager_see_the_export_page(dossier, login, role):
    page = login(dossier.user(role)).get(_urls(dossier.case.pk)[0])
    assert page.status_code == 200
    assert "Ziekmelding 42e week" in page.text
    assert "Loonheffingennummer van de werkgever ontbreekt (vraag 2.2)." in page.text
    # The page shows the BSN masked; only the files carry it in full.
    assert "******333" in page.text
    assert BSN not in page.text
    # Nothing signed yet: no empty package to download.
    assert "Er zijn nog geen ondertekende onderdelen" in page.text
    assert "re-integratieverslag.zip" not in page.text


@pytest.mark.parametrize(
    "role",
    [Role.LEIDINGGEVENDE, Role.WERKNEMER, Role.BEDRIJFSARTS, Role.TENANT_ADMIN],
)
def test_manager_employee_bedrijfsarts_and_admin_get_404(dossier, login, role):
    """The manager and the employee see the case, the bedrijfsarts is
    assigned to it: none of them hands the employer's file to UWV."""
    client = login(dossier.user(role))
    for url in _urls(dossier.case.pk):
        assert client.get(url).status_code == 404, url


def test_other_tenant_sees_nothing_of_tenant_a(dossier, login):
    client = login(dossier.casemanager_b)
    for base in (BASE, "/t/tenant-b"):
        for url in _urls(dossier.case.pk, base):
            assert client.get(url).status_code == 404, url


def test_case_documents_page_links_to_the_export(dossier, login):
    page = login(dossier.user(Role.HR)).get(
        f"{BASE}/dossiers/{dossier.case.pk}/documenten/"
    )
    assert f"{BASE}/dossiers/{dossier.case.pk}/uwv/" in page.text
    page = login(dossier.user(Role.LEIDINGGEVENDE)).get(
        f"{BASE}/dossiers/{dossier.case.pk}/documenten/"
    )
    assert "/uwv/" not in page.text


def test_data_file_with_missing_data_is_a_list_not_a_file(dossier, login):
    client = login(dossier.user(Role.HR))
    response = client.get(_urls(dossier.case.pk)[2])
    assert response.status_code == 409
    assert "Content-Disposition" not in response
    assert "Loonheffingennummer van de werkgever ontbreekt" in response.text
    with tenant_scope(dossier.tenant_a):
        assert not AuditEvent.objects.filter(action="uwv_42_week_export").exists()


def test_json_download_is_not_cached_and_audited_without_the_bsn(
    complete_facts, login, caplog
):
    w = complete_facts
    caplog.set_level(logging.DEBUG)
    response = login(w.user(Role.HR)).get(_urls(w.case.pk)[2])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="ziekmelding-42e-week-VZ-{w.case.pk:06d}.json"'
    )
    assert json.loads(response.content)["werknemer"]["burgerservicenummer"] == BSN
    with tenant_scope(w.tenant_a):
        event = AuditEvent.objects.get(action="uwv_42_week_export")
    assert event.actor == w.user(Role.HR)
    assert event.object_id == w.case.pk
    assert event.data["format"] == "json"
    assert event.data["document_status"] == "voorbeeld"
    assert BSN not in json.dumps(event.data)
    assert BSN not in caplog.text


def test_package_is_built_on_the_queue_then_served_until_a_change(
    uwv_case, login, django_capture_on_commit_callbacks, media_root, caplog
):
    from documents.models import DocumentKind
    from documents.tests.helpers import sign_document

    w = uwv_case
    caplog.set_level(logging.DEBUG)
    client = login(w.user(Role.REGIEHOUDER))
    page = client.get(_urls(w.case.pk)[0])
    assert "Eindevaluatie plan van aanpak, versie 1, ondertekend 20-07-2026" in (
        page.text
    )
    url = _urls(w.case.pk)[4]
    assert url in page.text
    assert BSN not in page.text
    with django_capture_on_commit_callbacks() as callbacks:
        pending = client.get(url)
    assert pending.status_code == 202
    assert "worden klaargezet" in pending.text
    assert len(callbacks) == 1

    # What the documents worker does with that message, run in-process.
    today = timezone.localdate().isoformat()
    assert uwv_riv_package_build_task.run(w.case.pk, w.tenant_a.pk, today)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(url)
    assert response.status_code == 200
    assert callbacks == []
    assert "no-store" in response["Cache-Control"]
    assert BSN not in response["Content-Disposition"]
    files = unzip(b"".join(response.streaming_content))
    assert len([name for name in files if name.endswith(".pdf")]) == 6

    # A newly signed evaluation changes the package: it is built again, and
    # the old file with the BSN does not stay behind in storage.
    stored = sorted((media_root / "uwv").rglob("riv-pakket-*.zip"))
    assert len(stored) == 1
    with tenant_scope(w.tenant_a):
        sign_document(w, DocumentKind.EVALUATIE, timezone.localdate())
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.get(url).status_code == 202
    assert len(callbacks) == 1
    assert uwv_riv_package_build_task.run(w.case.pk, w.tenant_a.pk, today)
    rebuilt = sorted((media_root / "uwv").rglob("riv-pakket-*.zip"))
    assert len(rebuilt) == 1
    assert rebuilt != stored

    with tenant_scope(w.tenant_a):
        events = list(
            AuditEvent.objects.filter(action__startswith="uwv_riv_package").order_by(
                "pk"
            )
        )
    assert [e.action for e in events] == [
        "uwv_riv_package_store",
        "uwv_riv_package_export",
        "uwv_riv_package_store",
    ]
    assert events[1].actor == w.user(Role.REGIEHOUDER)
    for event in events:
        assert BSN not in json.dumps(event.data)
    assert BSN not in caplog.text
