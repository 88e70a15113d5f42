"""Drafts, signatures and versions: who may do what, and a signed document
never changes."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent, Role
from core.exceptions import ApplicationError
from documents.models import Document, DocumentKind, DocumentStatus, Party
from documents.services import (
    DocumentSignedError,
    document_create,
    document_new_version,
    document_pdf_is_current,
    document_render,
    document_scan_attach,
    document_sign,
    document_signatures_request,
    document_update,
    signable_parties,
)
from documents.tests.factories import MEDICAL_SECRET
from documents.tests.helpers import flat, pdf_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _pva(w, **data):
    document = document_create(
        actor=w.user(Role.CASEMANAGER), case=w.case, kind=DocumentKind.PLAN_VAN_AANPAK
    )
    if data:
        document_update(actor=w.user(Role.CASEMANAGER), document=document, data=data)
    return document


def _submitted(w):
    document = _pva(w, visie_werkgever="Eigen werk is mogelijk.")
    document_signatures_request(actor=w.user(Role.CASEMANAGER), document=document)
    return document


def _signed(w):
    document = _submitted(w)
    document_sign(
        actor=w.user(Role.HR),
        document=document,
        party="werkgever",
        name="H. R. Adviseur",
    )
    document_sign(
        actor=w.user(Role.WERKNEMER),
        document=document,
        party="werknemer",
        name="J.P. de Vries",
    )
    return document


def test_a_new_plan_is_prefilled_with_what_hervat_knows(dossier):
    document = _pva(dossier)
    data = document.data
    assert document.version == 1
    assert document.status == DocumentStatus.CONCEPT
    assert data["werknemer_naam"] == "J.P. de Vries"
    assert data["werknemer_geboortenaam"] == "Bakker"
    assert data["werknemer_bsn"] == "******333"
    assert data["werkgever_naam"] == dossier.employer_a1.name
    assert data["werkgever_contactpersoon"] == "P. Pieterse"
    assert data["bedrijfsarts_naam"] == dossier.user(Role.BEDRIJFSARTS).full_name
    assert data["arbodienst_naam"] == dossier.tenant_a.name
    assert data["functie_naam"] == "Timmerman"
    assert data["functie_uren"] == "38"
    assert data["advies_bedrijfsarts"].startswith("Opbouwen in eigen werk")
    assert data["probleemanalyse_datum"] == "2026-11-10"
    assert data["contact_naam"] == dossier.user(Role.CASEMANAGER).full_name
    assert "111222333" not in str(data)
    assert MEDICAL_SECRET not in str(data)


def test_only_case_runners_draft_documents(dossier):
    for role in (Role.HR, Role.LEIDINGGEVENDE, Role.WERKNEMER, Role.BEDRIJFSARTS):
        with pytest.raises(ApplicationError):
            document_create(
                actor=dossier.user(role),
                case=dossier.case,
                kind=DocumentKind.PLAN_VAN_AANPAK,
            )
    assert not Document.objects.exists()
    assert document_create(
        actor=dossier.user(Role.REGIEHOUDER),
        case=dossier.case,
        kind=DocumentKind.PLAN_VAN_AANPAK,
    )


def test_one_concept_per_kind(dossier):
    _pva(dossier)
    with pytest.raises(ApplicationError, match="al een concept"):
        _pva(dossier)


def test_a_concept_is_updated_and_audited_without_its_content(dossier):
    document = _pva(dossier, visie_werknemer="Ik wil terug.")
    document.refresh_from_db()
    assert document.data["visie_werknemer"] == "Ik wil terug."
    event = AuditEvent.objects.filter(action="document_update").get()
    assert event.data["fields"] == ["visie_werknemer"]
    change = event.data["changes"]["data.visie_werknemer"]
    assert change["before"] in ("", None)
    assert change["after"]["redacted"] is True
    assert "Ik wil terug" not in json.dumps(event.data)
    assert event.case_id == document.case_id


def test_signing_needs_the_document_to_be_offered_first(dossier):
    document = _pva(dossier)
    assert signable_parties(actor=dossier.user(Role.HR), document=document) == []
    with pytest.raises(ApplicationError, match="concept"):
        document_sign(
            actor=dossier.user(Role.HR), document=document, party="werkgever", name="H"
        )


def test_content_is_fixed_once_offered_for_signature(dossier):
    document = _submitted(dossier)
    with pytest.raises(DocumentSignedError):
        document_update(
            actor=dossier.user(Role.CASEMANAGER),
            document=document,
            data={"visie_werkgever": "Toch anders."},
        )
    document.refresh_from_db()
    assert document.data["visie_werkgever"] == "Eigen werk is mogelijk."


def test_who_may_sign_what(dossier, world):
    document = _submitted(dossier)
    parties = {
        role: signable_parties(actor=dossier.user(role), document=document)
        for role in Role
    }
    assert parties[Role.HR] == [Party.WERKGEVER]
    assert parties[Role.REGIEHOUDER] == [Party.WERKGEVER]
    assert parties[Role.CASEMANAGER] == [Party.WERKGEVER]
    assert parties[Role.WERKNEMER] == [Party.WERKNEMER]
    assert parties[Role.LEIDINGGEVENDE] == []
    assert parties[Role.BEDRIJFSARTS] == []
    assert parties[Role.TENANT_ADMIN] == []
    # The employee cannot sign for the employer, nor HR for the employee.
    with pytest.raises(ApplicationError):
        document_sign(
            actor=dossier.user(Role.WERKNEMER),
            document=document,
            party="werkgever",
            name="J.P. de Vries",
        )
    with pytest.raises(ApplicationError):
        document_sign(
            actor=dossier.user(Role.HR),
            document=document,
            party="werknemer",
            name="H. R.",
        )
    assert not document.signatures.exists()


def test_a_manager_of_another_employer_cannot_sign(dossier):
    from accounts.tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory()
    MembershipFactory(
        tenant=dossier.tenant_a,
        user=outsider,
        role=Role.REGIEHOUDER,
        employers=[dossier.employer_a3],
    )
    document = _submitted(dossier)
    assert signable_parties(actor=outsider, document=document) == []
    with pytest.raises(ApplicationError):
        document_sign(actor=outsider, document=document, party="werkgever", name="X")


def test_a_grant_on_one_case_does_not_let_another_employers_manager_sign(dossier):
    from guardian.shortcuts import assign_perm

    from accounts.tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory()
    MembershipFactory(
        tenant=dossier.tenant_a,
        user=outsider,
        role=Role.HR,
        employers=[dossier.employer_a3],
    )
    assign_perm("cases.view_absencecase", outsider, dossier.case)
    document = _submitted(dossier)
    assert signable_parties(actor=outsider, document=document) == []
    with pytest.raises(ApplicationError):
        document_sign(actor=outsider, document=document, party="werkgever", name="X")


def test_fully_signed_document_is_stored_with_its_sha256(dossier):
    document = _signed(dossier)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ONDERTEKEND
    assert document.signed_at is not None
    stored = document.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    text = flat(pdf_text(stored))
    assert "H. R. Adviseur" in text
    assert "J.P. de Vries" in text
    assert "Ondertekend in Hervat" in text
    assert "CONCEPT" not in text
    assert {s.party: s.method for s in document.signatures.all()} == {
        "werkgever": "in_app",
        "werknemer": "in_app",
    }


def test_a_signed_document_never_changes_and_a_new_version_appears(dossier):
    document = _signed(dossier)
    document.refresh_from_db()
    sha, name = document.sha256, document.pdf.name
    with pytest.raises(DocumentSignedError):
        document_update(
            actor=dossier.user(Role.CASEMANAGER),
            document=document,
            data={"visie_werkgever": "Anders"},
        )
    with pytest.raises(DocumentSignedError):
        document_sign(
            actor=dossier.user(Role.REGIEHOUDER),
            document=document,
            party="werkgever",
            name="Nog een keer",
        )
    rendered = document_render(document=document)
    assert (rendered.sha256, rendered.pdf.name) == (sha, name)

    new = document_new_version(actor=dossier.user(Role.CASEMANAGER), document=document)
    assert (new.version, new.status) == (2, DocumentStatus.CONCEPT)
    assert new.data == document.data
    document_update(
        actor=dossier.user(Role.CASEMANAGER),
        document=new,
        data={"visie_werkgever": "Bijgesteld na drie maanden."},
    )
    document.refresh_from_db()
    assert document.data["visie_werkgever"] == "Eigen werk is mogelijk."
    assert document.sha256 == sha
    assert list(
        Document.objects.filter(case=dossier.case).values_list("version", "status")
    ) == [(2, "concept"), (1, "ondertekend")]


def test_a_new_version_only_from_the_latest_and_not_beside_a_concept(dossier):
    document = _signed(dossier)
    document_new_version(actor=dossier.user(Role.CASEMANAGER), document=document)
    with pytest.raises(ApplicationError, match="concept"):
        document_new_version(actor=dossier.user(Role.CASEMANAGER), document=document)


def test_a_signed_scan_completes_the_signatures(dossier):
    document = _submitted(dossier)
    document_sign(
        actor=dossier.user(Role.HR), document=document, party="werkgever", name="H. R."
    )
    document_scan_attach(
        actor=dossier.user(Role.CASEMANAGER),
        document=document,
        scan=SimpleUploadedFile("getekend.png", PNG, content_type="image/png"),
        werkgever_name="",
        werknemer_name="J.P. de Vries",
        signed_on=timezone.localdate(),
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.ONDERTEKEND
    scan_signature = document.signatures.get(party="werknemer")
    assert scan_signature.method == "scan"
    assert scan_signature.scan.read() == PNG
    assert scan_signature.scan_sha256 == hashlib.sha256(PNG).hexdigest()
    assert "Ondertekende scan bijgevoegd" in pdf_text(document.pdf.read())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 not a scan", "PDF, PNG of JPEG"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "te groot"),
    ],
)
def test_a_scan_must_be_a_small_pdf_or_image(dossier, content, message):
    document = _submitted(dossier)
    with pytest.raises(ApplicationError, match=message):
        document_scan_attach(
            actor=dossier.user(Role.CASEMANAGER),
            document=document,
            scan=SimpleUploadedFile("scan.bin", content),
            werkgever_name="H. R.",
            werknemer_name="J.P. de Vries",
            signed_on=timezone.localdate(),
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.TER_ONDERTEKENING
    assert not document.signatures.exists()


def test_a_scan_needs_every_missing_signer_named(dossier):
    document = _submitted(dossier)
    with pytest.raises(ApplicationError) as error:
        document_scan_attach(
            actor=dossier.user(Role.CASEMANAGER),
            document=document,
            scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4 scan"),
            werkgever_name="H. R.",
            werknemer_name="",
            signed_on=timezone.localdate(),
        )
    assert error.value.field == "werknemer_name"


def test_a_document_nobody_signs_is_final_when_submitted(dossier):
    document = document_create(
        actor=dossier.user(Role.CASEMANAGER),
        case=dossier.case,
        kind=DocumentKind.PROBLEEMANALYSE,
    )
    document_signatures_request(actor=dossier.user(Role.CASEMANAGER), document=document)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ONDERTEKEND
    assert hashlib.sha256(document.pdf.read()).hexdigest() == document.sha256


def test_stored_concept_pdf_is_reused_until_the_content_changes(dossier):
    document = _pva(dossier)
    assert not document_pdf_is_current(document=document)
    first = document_render(document=document)
    assert document_pdf_is_current(document=first)
    again = document_render(document=first)
    assert again.pdf.name == first.pdf.name
    document_update(
        actor=dossier.user(Role.CASEMANAGER),
        document=first,
        data={"visie_werknemer": "Nieuw"},
    )
    first.refresh_from_db()
    assert not document_pdf_is_current(document=first)


def test_other_tenant_cannot_touch_documents(dossier, world):
    from accounts.scoping import tenant_scope

    document = _submitted(dossier)
    with tenant_scope(world.tenant_b):
        assert not Document.objects.filter(pk=document.pk).exists()
        assert signable_parties(actor=world.casemanager_b, document=document) == []


def test_signing_records_name_time_and_method(dossier):
    document = _submitted(dossier)
    moment = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
    signature = document_sign(
        actor=dossier.user(Role.WERKNEMER),
        document=document,
        party="werknemer",
        name="  J.P. de Vries ",
        now=moment,
    )
    assert (signature.name, signature.signed_at, signature.method) == (
        "J.P. de Vries",
        moment,
        "in_app",
    )
    assert signature.user == dossier.user(Role.WERKNEMER)
    assert AuditEvent.objects.filter(action="document_sign").count() == 1


def test_prefilled_facts_outside_the_form_cannot_be_overwritten(dossier):
    document = _pva(dossier)
    with pytest.raises(ApplicationError, match="werknemer_bsn"):
        document_update(
            actor=dossier.user(Role.CASEMANAGER),
            document=document,
            data={"werknemer_bsn": "111222333"},
        )
    document.refresh_from_db()
    assert document.data["werknemer_bsn"] == "******333"
