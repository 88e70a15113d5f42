"""The re-integratieverslag package: every signed part as its own PDF in
UWV's order, named for upload, with the BSN and name on every page, the
signed originals untouched, and no medical text anywhere."""

import hashlib
import json

import pytest
from django.utils import timezone

from accounts.models import Role
from documents.tests.factories import MEDICAL_SECRET
from integrations.uwv import services
from integrations.uwv.tests.conftest import BSN, CONSULT_SECRET, TRIAGE_SECRET
from integrations.uwv.tests.helpers import all_text, page_texts, schema_errors, unzip


def _build(w):
    return services.riv_package_build(actor=w.user(Role.HR), case=w.case, today=w.today)


def test_zip_holds_the_signed_parts_in_uwv_order_with_upload_names(uwv_case):
    w = uwv_case
    signed_today = timezone.localdate().isoformat()
    files = unzip(_build(w).zip)
    # Probleemanalyse (fixed when submitted, today), plan van aanpak, the
    # evaluations by date (the scanned one signed today), eindevaluatie; the
    # 42-week report is not part of the re-integratieverslag.
    assert list(files) == [
        f"{BSN}_01_probleemanalyse_{signed_today}.pdf",
        f"{BSN}_02_plan-van-aanpak_2024-12-20.pdf",
        f"{BSN}_03_evaluatie_2025-01-28.pdf",
        f"{BSN}_04_eerstejaarsevaluatie_2025-10-20.pdf",
        f"{BSN}_05_evaluatie_{signed_today}.pdf",
        f"{BSN}_06_eindevaluatie_2026-07-20.pdf",
        "manifest.json",
        "inhoud.txt",
    ]


def test_every_page_of_every_pdf_shows_the_bsn_and_the_name(uwv_case):
    files = unzip(_build(uwv_case).zip)
    pdfs = {name: content for name, content in files.items() if name.endswith(".pdf")}
    assert len(pdfs) == 6
    for name, content in pdfs.items():
        pages = page_texts(content)
        assert pages, name
        for number, text in enumerate(pages, start=1):
            assert f"BSN {BSN}" in text, (name, number)
            assert "J.P. de Vries" in text, (name, number)


def test_manifest_records_both_hashes_and_the_originals_stay_signed(uwv_case):
    w = uwv_case
    originals = {}
    for key, document in w.parts.items():
        with document.pdf.open("rb") as stored:
            originals[key] = stored.read()
        assert hashlib.sha256(originals[key]).hexdigest() == document.sha256
    package = _build(w)
    files = unzip(package.zip)
    manifest = json.loads(files["manifest.json"])
    assert schema_errors("riv-pakket-manifest.v1.schema.json", manifest) == []
    assert manifest == package.manifest
    by_sha = {document.sha256: key for key, document in w.parts.items()}
    for item in manifest["bestanden"]:
        exported = files[item["bestand"]]
        assert item["sha256_export"] == hashlib.sha256(exported).hexdigest()
        assert item["sha256_origineel"] in by_sha
        assert item["sha256_export"] != item["sha256_origineel"]
        assert item["paginas"] == len(page_texts(exported))
    scanned = manifest["bestanden"][4]
    assert scanned["scan_toegevoegd"] is True
    assert [s["manier"] for s in scanned["ondertekeningen"]] == ["scan", "scan"]
    # The scan follows the three pages of the form.
    assert scanned["paginas"] == 4
    plan = manifest["bestanden"][1]
    assert plan["ondertekeningen"] == [
        {
            "partij": "werkgever",
            "naam": "H. R. Adviseur",
            "datum": "2024-12-20",
            "manier": "in_app",
        },
        {
            "partij": "werknemer",
            "naam": "J.P. de Vries",
            "datum": "2024-12-20",
            "manier": "in_app",
        },
    ]
    # What is missing comes from the re-integratieverslag's own check.
    assert {
        "ernst": "ontbreekt",
        "melding": "Geen evaluatie tussen week 51 en week 90 "
        "(20-10-2025 tot 20-07-2026).",
    } in manifest["controle"]
    inhoud = files["inhoud.txt"].decode()
    assert "Geen evaluatie tussen week 51 en week 90" in inhoud
    assert f"{BSN}_02_plan-van-aanpak_2024-12-20.pdf" in inhoud
    # Storage still holds exactly what was signed.
    for key, document in w.parts.items():
        document.refresh_from_db()
        with document.pdf.open("rb") as stored:
            assert stored.read() == originals[key]


def test_no_medical_text_reaches_any_export_file(uwv_case):
    from poortwachter.models import ConsultMedical, ProbleemanalyseMedical
    from triage.models import ResponseMedical

    w = uwv_case
    # The medical records are there, in full, on this very case.
    assert ConsultMedical.objects.get(consult__case=w.case).notes == CONSULT_SECRET
    assert ProbleemanalyseMedical.objects.get(
        probleemanalyse__case=w.case
    ).anamnesis == (MEDICAL_SECRET)
    medical_answers = ResponseMedical.objects.get(response__invitation__case=w.case)
    assert json.loads(medical_answers.answers)["complaints"] == TRIAGE_SECRET
    hr = w.user(Role.HR)
    texts = [all_text(unzip(_build(w).zip))]
    for file_format in ("json", "csv"):
        export = services.melding_42_export(
            actor=hr, case=w.case, file_format=file_format
        )
        texts.append(export.content.decode("utf-8"))
    pdf = services.melding_42_export(actor=hr, case=w.case, file_format="pdf")
    texts.extend(page_texts(pdf.content))
    everything = "\n".join(texts)
    # The exports are real: they carry the BSN and the employer part.
    assert BSN in everything
    assert "Niet tillen boven 10 kg" in everything
    for secret in (MEDICAL_SECRET, CONSULT_SECRET, TRIAGE_SECRET):
        assert secret not in everything
    assert "migraine" not in everything.lower()
    assert "burn-out" not in everything.lower()


def test_package_without_a_bsn_is_refused_with_the_reason(dossier, today):
    employee = dossier.case.employee
    employee.bsn = ""
    employee.save()
    with pytest.raises(services.MissingDataError) as error:
        services.riv_package_build(
            actor=dossier.user(Role.HR), case=dossier.case, today=today
        )
    assert error.value.missing == [
        "Burgerservicenummer van de werknemer ontbreekt (bij de werknemer)."
    ]
