"""The right of access and to data portability (AVG art. 15 and 20): one
ZIP with everything, the medical parts apart and only through the logging
medical selectors."""

import io
import json
import stat
import zipfile

from django.core.management import call_command

from accounts.models import AuditEvent, Role
from documents.tests.helpers import pdf_text
from poortwachter.models import MedicalAccessLog
from privacy.services import employee_export
from privacy.tests.conftest import BSN, MEDICAL, PAST_PERIOD, PERSONAL


def _unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _text(files: dict[str, bytes], *, medical: bool) -> str:
    parts = []
    for name, content in files.items():
        if name.startswith("medisch/") != medical:
            continue
        parts.append(name)
        if name.endswith(".pdf"):
            parts.append(pdf_text(content))
        elif not name.endswith(".png"):
            parts.append(content.decode())
    return "\n".join(parts)


def test_export_holds_master_data_cases_and_documents(full):
    export = employee_export(actor=full.user(Role.TENANT_ADMIN), employee=full.employee)
    files = _unzip(export.content)

    employee = json.loads(files["werknemer.json"])
    assert (employee["surname"], employee["bsn"]) == (PERSONAL["surname"], BSN)
    assert employee["employer"] == full.employer.name
    dossier = json.loads(files[f"dossiers/{full.case.pk}/dossier.json"])
    assert dossier["case"]["agreements"] == PERSONAL["agreements"]
    assert dossier["case"]["first_sick_day"] == "2023-03-06"
    assert [c["percentage_unfit"] for c in dossier["workability_changes"]] == [
        100,
        50,
        0,
    ]
    assert dossier["contact_notes"][0]["summary"] == PERSONAL["note_summary"]
    assert dossier["interventions"][0]["notes"] == PERSONAL["intervention_notes"]
    assert PERSONAL["task_note"] in [t["note"] for t in dossier["tasks"]]
    assert dossier["appointments"][0]["location"] == PERSONAL["location"]
    assert dossier["probleemanalyses"][0]["limitations"] == PERSONAL["limitations"]
    assert dossier["fml"][0]["remarks"] == PERSONAL["fml_remarks"]
    assert dossier["routing"][0]["reason"] == PERSONAL["routing_reason"]
    answers = dossier["questionnaires"][0]["answers_raw"]
    assert answers["what_works"] == PERSONAL["triage_plain"]
    assert "complaints" not in answers
    pdfs = [d["file"] for d in dossier["documents"] if d["file"]]
    assert len(pdfs) == 2
    assert all(files[name].startswith(b"%PDF") for name in pdfs)
    scans = [
        s["scan"] for d in dossier["documents"] for s in d["signatures"] if s["scan"]
    ]
    assert len(scans) == 2  # both parties signed the same paper
    assert len(set(scans)) == 1
    assert files[scans[0]].startswith(b"\x89PNG")
    assert len(json.loads(files["inzagelog.json"])) == len(full.access_log_ids)
    assert (export.cases, export.files) == (1, 3)


def test_export_without_a_medical_reader_reads_and_holds_no_medical_data(full):
    reads = MedicalAccessLog.objects.count()
    export = employee_export(actor=full.user(Role.TENANT_ADMIN), employee=full.employee)
    files = _unzip(export.content)

    everything = _text(files, medical=False) + _text(files, medical=True)
    for secret in MEDICAL.values():
        assert secret not in everything
    assert "3 medische onderdelen" in files["medisch/LEESMIJ.txt"].decode()
    assert MedicalAccessLog.objects.count() == reads
    assert export.medical_records == 0


def test_medical_parts_are_only_in_the_medisch_folder_and_every_read_is_logged(full):
    bedrijfsarts = full.user(Role.BEDRIJFSARTS)
    reads = MedicalAccessLog.objects.filter(user=bedrijfsarts).count()

    export = employee_export(
        actor=bedrijfsarts, employee=full.employee, medical_reader=bedrijfsarts
    )
    files = _unzip(export.content)

    outside = _text(files, medical=False)
    inside = files[f"medisch/dossiers/{full.case.pk}/medisch.json"].decode()
    for secret in MEDICAL.values():
        assert secret not in outside
        assert secret in inside
    assert export.medical_records == 3
    assert MedicalAccessLog.objects.filter(user=bedrijfsarts).count() == reads + 3


def test_a_reader_without_medical_access_gets_none_of_it(full):
    casemanager = full.user(Role.CASEMANAGER)  # not in taakdelegatie
    export = employee_export(
        actor=casemanager, employee=full.employee, medical_reader=casemanager
    )
    files = _unzip(export.content)

    for secret in MEDICAL.values():
        assert secret not in _text(files, medical=True)
    assert (export.medical_records, export.medical_missing) == (0, 3)
    assert not MedicalAccessLog.objects.filter(user=casemanager).exists()


def test_export_is_in_the_audit_trail_without_content(full):
    admin = full.user(Role.TENANT_ADMIN)
    employee_export(actor=admin, employee=full.employee)
    event = AuditEvent.objects.get(action="employee_export")
    assert event.actor == admin
    assert event.object_id == full.employee.pk
    assert event.data["cases"] == 1
    assert PERSONAL["surname"] not in json.dumps(event.data)


def test_export_of_an_anonymised_employee_holds_nothing_personal(full):
    from privacy.services import retention_run
    from privacy.tests.conftest import tables_containing

    retention_run(tenant=full.tenant, today=PAST_PERIOD)
    assert tables_containing([PERSONAL["surname"]]) == {}
    files = _unzip(employee_export(actor=None, employee=full.employee).content)
    text = _text(files, medical=False)
    for value in PERSONAL.values():
        assert value not in text


def test_command_writes_a_private_zip_with_the_medical_parts(full, tmp_path):
    output = tmp_path / "export.zip"
    out = io.StringIO()
    call_command(
        "employee_export",
        "--tenant",
        "tenant-a",
        "--employee",
        str(full.employee.pk),
        "--output",
        str(output),
        "--medical-reader",
        full.user(Role.BEDRIJFSARTS).email,
        stdout=out,
    )
    files = _unzip(output.read_bytes())
    assert f"medisch/dossiers/{full.case.pk}/medisch.json" in files
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert "3 medische onderdelen" in out.getvalue()


def test_readme_is_in_the_employees_language(light):
    light.employee.preferred_language = "en"
    light.employee.save()
    files = _unzip(employee_export(actor=None, employee=light.employee).content)
    assert "Hervat: your data" in files["LEESMIJ.txt"].decode()
    assert "no medical data" in files["medisch/LEESMIJ.txt"].decode()
