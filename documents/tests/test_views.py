"""The portal pages: drafting, signing, scans, downloads — per role, with
forbidden looking like not found, and form errors instead of 500s."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from documents.models import Document, DocumentKind, DocumentStatus
from documents.services import (
    document_create,
    document_sign,
    document_signatures_request,
)
from documents.tasks import document_render_task
from documents.tests.helpers import flat, pdf_text

BASE = "/t/tenant-a"


@pytest.fixture
def pva(dossier):
    return document_create(
        actor=dossier.user(Role.CASEMANAGER),
        case=dossier.case,
        kind=DocumentKind.PLAN_VAN_AANPAK,
    )


def _edit_post(**overrides):
    data = {
        "werknemer_naam": "J.P. de Vries",
        "werknemer_geboortenaam": "Bakker",
        "werkgever_naam": "A1 Bouw",
        "werkgever_contactpersoon": "P. Pieterse",
        "bedrijfsarts_naam": "Dr. K. Smit",
        "arbodienst_naam": "Arbodienst A",
        "functie_naam": "Timmerman",
        "functie_omschrijving": "Kozijnen maken",
        "functie_uren": "38",
        "visie_werknemer": "Ik wil terug.",
        "visie_werkgever": "Dat kan met aanpassingen.",
        "einddoelen": ["eigen_functie", "eigen_functie_aanpassingen"],
        "einddoel_anders": "",
        "contact_naam": "C. Manager",
        "contact_telefoon": "010-1234567",
        "contact_email": "casemanager@tenant-a.test",
        "afspraken-TOTAL_FORMS": "2",
        "afspraken-INITIAL_FORMS": "0",
        "afspraken-MIN_NUM_FORMS": "0",
        "afspraken-MAX_NUM_FORMS": "60",
        "afspraken-0-probleemveld": "arbeidsinhoud",
        "afspraken-0-activiteit": "Binnenwerk in de werkplaats",
        "afspraken-0-wie": "werknemer",
        "afspraken-0-planning": "week 9",
        "afspraken-1-probleemveld": "arbeidsinhoud",
        "afspraken-1-activiteit": "",
        "afspraken-1-wie": "",
        "afspraken-1-planning": "",
    }
    data.update(overrides)
    return data


def test_casemanager_drafts_a_plan_from_the_case(dossier, login):
    client = login(dossier.user(Role.CASEMANAGER))
    page = client.get(f"{BASE}/dossiers/{dossier.case.pk}/documenten/")
    assert page.status_code == 200
    assert "Nieuw document opstellen" in page.text
    response = client.post(
        f"{BASE}/dossiers/{dossier.case.pk}/documenten/nieuw/plan_van_aanpak/"
    )
    assert response.status_code == 302
    document = Document.objects.get(case=dossier.case)
    assert response.url == f"{BASE}/documenten/{document.pk}/bewerken/"
    form = client.get(response.url)
    assert form.status_code == 200
    for label in ("1.1 Voorletters en achternaam", "5.1 Visie van de werknemer"):
        assert label in form.text
    assert "J.P. de Vries" in form.text
    assert "******333" in form.text
    assert "Opbouwen in eigen werk" in form.text


def test_saving_the_form_stores_the_answers_and_agreement_rows(pva, login, dossier):
    client = login(dossier.user(Role.CASEMANAGER))
    response = client.post(f"{BASE}/documenten/{pva.pk}/bewerken/", _edit_post())
    assert response.status_code == 302
    pva.refresh_from_db()
    assert pva.data["visie_werknemer"] == "Ik wil terug."
    assert pva.data["functie_uren"] == "38"
    assert pva.data["einddoelen"] == ["eigen_functie", "eigen_functie_aanpassingen"]
    assert pva.data["afspraken"] == [
        {
            "probleemveld": "arbeidsinhoud",
            "activiteit": "Binnenwerk in de werkplaats",
            "wie": "werknemer",
            "planning": "week 9",
        }
    ]
    assert pva.data["werknemer_bsn"] == "******333"  # not on the form, kept


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"functie_uren": "200"}, "Vul hoogstens 80 uur per week in."),
        ({"functie_uren": "veel"}, "Vul een aantal uren in"),
        ({"contact_email": "geen-adres"}, "Vul een geldig e-mailadres in."),
        (
            {"werknemer_naam": ""},
            "Vul de voorletters en achternaam van de werknemer in.",
        ),
        ({"afspraken-0-wie": ""}, "Vul in wie deze activiteit uitvoert."),
        ({"einddoelen": ["bestaat_niet"]}, "Selecteer een geldige keuze"),
        ({"afspraken-TOTAL_FORMS": "x"}, "ManagementForm"),
    ],
)
def test_bad_input_gives_field_errors_not_a_500(
    pva, login, dossier, overrides, message
):
    client = login(dossier.user(Role.CASEMANAGER))
    response = client.post(
        f"{BASE}/documenten/{pva.pk}/bewerken/", _edit_post(**overrides)
    )
    assert response.status_code == 200
    assert message in response.text
    pva.refresh_from_db()
    assert "visie_werknemer" not in pva.data or pva.data["visie_werknemer"] == ""


@pytest.mark.parametrize(
    "role", [Role.HR, Role.LEIDINGGEVENDE, Role.WERKNEMER, Role.BEDRIJFSARTS]
)
def test_only_case_runners_open_the_draft_form(pva, login, dossier, role):
    client = login(dossier.user(role))
    assert client.get(f"{BASE}/documenten/{pva.pk}/bewerken/").status_code == 404
    assert (
        client.post(f"{BASE}/documenten/{pva.pk}/bewerken/", _edit_post()).status_code
        == 404
    )
    assert (
        client.post(
            f"{BASE}/dossiers/{dossier.case.pk}/documenten/nieuw/evaluatie/"
        ).status_code
        == 404
    )


def test_other_tenant_and_other_employer_get_404(pva, login, dossier, world):
    client = login(world.casemanager_b)
    for url in (
        f"/t/tenant-b/documenten/{pva.pk}/",
        f"/t/tenant-b/documenten/{pva.pk}/pdf/",
        f"/t/tenant-b/dossiers/{dossier.case.pk}/documenten/",
    ):
        assert client.get(url).status_code == 404
    from accounts.tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory()
    MembershipFactory(
        tenant=world.tenant_a,
        user=outsider,
        role=Role.REGIEHOUDER,
        employers=[world.employer_a3],
    )
    client = login(outsider)
    assert client.get(f"{BASE}/documenten/{pva.pk}/").status_code == 404
    assert client.get(f"{BASE}/documenten/{pva.pk}/ondertekenen/").status_code == 404


def test_submit_sign_and_download_flow(
    pva, login, dossier, django_capture_on_commit_callbacks
):
    client = login(dossier.user(Role.CASEMANAGER))
    response = client.post(f"{BASE}/documenten/{pva.pk}/aanbieden/")
    assert response.status_code == 302
    pva.refresh_from_db()
    assert pva.status == DocumentStatus.TER_ONDERTEKENING

    hr = login(dossier.user(Role.HR))
    page = hr.get(f"{BASE}/documenten/{pva.pk}/ondertekenen/")
    assert page.status_code == 200
    assert "Werkgever" in page.text
    assert (
        hr.post(
            f"{BASE}/documenten/{pva.pk}/ondertekenen/", {"name": "H. R."}
        ).status_code
        == 200
    )
    response = hr.post(
        f"{BASE}/documenten/{pva.pk}/ondertekenen/", {"name": "H. R.", "confirm": "on"}
    )
    assert response.status_code == 302

    employee = login(dossier.user(Role.WERKNEMER))
    page = employee.get(f"{BASE}/documenten/{pva.pk}/")
    assert "Ondertekenen" in page.text
    response = employee.post(
        f"{BASE}/documenten/{pva.pk}/ondertekenen/",
        {"name": "J.P. de Vries", "confirm": "on"},
    )
    assert response.status_code == 302
    pva.refresh_from_db()
    assert pva.status == DocumentStatus.ONDERTEKEND
    # Signed already: the sign page sends the employee back.
    assert employee.get(f"{BASE}/documenten/{pva.pk}/ondertekenen/").status_code == 302

    with django_capture_on_commit_callbacks() as callbacks:
        download = employee.get(f"{BASE}/documenten/{pva.pk}/pdf/")
    assert download.status_code == 200
    assert callbacks == []  # the signed PDF is served, never re-rendered
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    assert "J.P. de Vries" in flat(pdf_text(body))
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_leidinggevende_sees_but_does_not_sign(pva, login, dossier):
    with tenant_scope(dossier.tenant_a):
        document_signatures_request(actor=dossier.user(Role.CASEMANAGER), document=pva)
    client = login(dossier.user(Role.LEIDINGGEVENDE))
    assert client.get(f"{BASE}/documenten/{pva.pk}/").status_code == 200
    assert client.get(f"{BASE}/documenten/{pva.pk}/ondertekenen/").status_code == 404


def test_a_concept_pdf_renders_on_the_documents_queue_then_is_served(
    pva, login, dossier, django_capture_on_commit_callbacks
):
    client = login(dossier.user(Role.CASEMANAGER))
    with django_capture_on_commit_callbacks() as callbacks:
        pending = client.get(f"{BASE}/documenten/{pva.pk}/pdf/")
    assert pending.status_code == 202
    assert "De PDF wordt gemaakt" in pending.text
    assert len(callbacks) == 1

    # What the worker does with that message, run in-process.
    assert document_render_task.run(pva.pk, dossier.tenant_a.pk) is True
    assert document_render_task.name == "documents.tasks.document_render_task"

    with django_capture_on_commit_callbacks() as callbacks:
        ready = client.get(f"{BASE}/documenten/{pva.pk}/pdf/")
    assert ready.status_code == 200
    assert callbacks == []
    assert b"".join(ready.streaming_content).startswith(b"%PDF-")


def test_scan_upload_signs_the_rest(pva, login, dossier):
    with tenant_scope(dossier.tenant_a):
        document_signatures_request(actor=dossier.user(Role.CASEMANAGER), document=pva)
    client = login(dossier.user(Role.REGIEHOUDER))
    bad = client.post(
        f"{BASE}/documenten/{pva.pk}/scan/",
        {
            "scan": SimpleUploadedFile("scan.txt", b"gewoon tekst"),
            "signed_on": timezone.localdate().isoformat(),
            "werkgever_name": "R. Houder",
            "werknemer_name": "J.P. de Vries",
        },
    )
    assert bad.status_code == 200
    assert "Upload de scan als PDF, PNG of JPEG." in bad.text
    good = client.post(
        f"{BASE}/documenten/{pva.pk}/scan/",
        {
            "scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 getekend"),
            "signed_on": timezone.localdate().isoformat(),
            "werkgever_name": "R. Houder",
            "werknemer_name": "J.P. de Vries",
        },
    )
    assert good.status_code == 302
    pva.refresh_from_db()
    assert pva.status == DocumentStatus.ONDERTEKEND
    assert {s.method for s in pva.signatures.all()} == {"scan"}
    signature = pva.signatures.first()
    detail = client.get(f"{BASE}/documenten/{pva.pk}/")
    scan_url = f"{BASE}/documenten/{pva.pk}/scan/{signature.pk}/"
    assert scan_url in detail.text
    scan = client.get(scan_url)
    assert scan.status_code == 200
    assert b"".join(scan.streaming_content) == b"%PDF-1.4 getekend"
    assert login(dossier.casemanager_b).get(scan_url).status_code == 404


def test_new_version_from_a_signed_document(pva, login, dossier):
    with tenant_scope(dossier.tenant_a):
        document_signatures_request(actor=dossier.user(Role.CASEMANAGER), document=pva)
        for role, party in ((Role.HR, "werkgever"), (Role.WERKNEMER, "werknemer")):
            document_sign(
                actor=dossier.user(role), document=pva, party=party, name="X Y"
            )
    client = login(dossier.user(Role.CASEMANAGER))
    edit = client.get(f"{BASE}/documenten/{pva.pk}/bewerken/")
    assert edit.status_code == 302  # a signed document is not editable
    response = client.post(f"{BASE}/documenten/{pva.pk}/nieuwe-versie/")
    assert response.status_code == 302
    with tenant_scope(dossier.tenant_a):
        assert list(
            Document.objects.filter(case=dossier.case).values_list("version", "status")
        ) == [(2, "concept"), (1, "ondertekend")]


def test_case_document_list_costs_constant_queries(
    dossier, login, django_assert_max_num_queries
):
    client = login(dossier.user(Role.CASEMANAGER))
    url = f"{BASE}/dossiers/{dossier.case.pk}/documenten/"
    with tenant_scope(dossier.tenant_a):
        for kind in DocumentKind.values:
            document_create(
                actor=dossier.user(Role.CASEMANAGER), case=dossier.case, kind=kind
            )
    with django_assert_max_num_queries(15):
        page = client.get(url)
    assert page.status_code == 200
    with tenant_scope(dossier.tenant_a):
        for document in Document.objects.filter(case=dossier.case):
            document_signatures_request(
                actor=dossier.user(Role.CASEMANAGER), document=document
            )
    with django_assert_max_num_queries(15):
        again = client.get(url)
    for label in ("Plan van aanpak", "Eerstejaarsevaluatie", "Ter ondertekening"):
        assert label in again.text


def test_case_documents_partial_lists_versions_and_links(pva, dossier, rf):
    from django.template.loader import render_to_string

    from documents.selectors import documents_for_case

    html = render_to_string(
        "documents/_case_documents.html",
        {
            "case": dossier.case,
            "tenant": dossier.tenant_a,
            "case_documents": documents_for_case(
                actor=dossier.user(Role.CASEMANAGER), case=dossier.case
            ),
        },
    )
    assert "Plan van aanpak" in html
    assert f"/t/tenant-a/documenten/{pva.pk}/pdf/" in html
    assert "Concept" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.HR, 200),
        (Role.CASEMANAGER, 200),
        (Role.REGIEHOUDER, 200),
        (Role.LEIDINGGEVENDE, 404),
        (Role.WERKNEMER, 404),
        (Role.BEDRIJFSARTS, 404),
    ],
)
def test_reintegratieverslag_page_per_role(dossier, login, role, status):
    client = login(dossier.user(role))
    page = client.get(f"{BASE}/dossiers/{dossier.case.pk}/reintegratieverslag/")
    assert page.status_code == status
    if status == 200:
        assert "Controle op volledigheid" in page.text
        # First sick day 1 October 2026: the plan is due on 25 November.
        assert "Het plan van aanpak moet nog worden ondertekend" in page.text


def test_reintegratieverslag_is_built_on_the_queue_then_served_until_a_change(
    complete_case, login, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from cases.tests.factories import ContactNoteFactory
    from documents.tasks import reintegratieverslag_render_task

    w = complete_case
    client = login(w.user(Role.HR))
    page = client.get(f"{BASE}/dossiers/{w.case.pk}/reintegratieverslag/")
    assert "Het verslag is volledig" in page.text
    url = f"{BASE}/dossiers/{w.case.pk}/reintegratieverslag/pdf/"
    with django_capture_on_commit_callbacks() as callbacks:
        pending = client.get(url)
    assert pending.status_code == 202
    assert "Het re-integratieverslag wordt samengesteld" in pending.text
    assert len(callbacks) == 1

    # What the documents worker does with that message, run in-process.
    today = timezone.localdate().isoformat()
    assert reintegratieverslag_render_task.run(w.case.pk, w.tenant_a.pk, today)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(url)
    assert response.status_code == 200
    assert callbacks == []
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    assert "Oordeel van de werknemer" in flat(pdf_text(body))

    # A new contact moment changes the overview: the RIV is built again.
    with tenant_scope(w.tenant_a):
        ContactNoteFactory(case=w.case, summary="Nog een gesprek.")
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.get(url).status_code == 202
    assert len(callbacks) == 1

    other = login(w.casemanager_b)
    assert (
        other.get(
            f"/t/tenant-b/dossiers/{w.case.pk}/reintegratieverslag/pdf/"
        ).status_code
        == 404
    )
