"""``manage.py uwv_export``: the operator's way to the same files."""

import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from accounts.scoping import tenant_scope
from integrations.uwv.tests.conftest import BSN
from integrations.uwv.tests.helpers import schema_errors, unzip


def test_command_writes_a_valid_42_week_data_file(complete_facts, tmp_path):
    w = complete_facts
    output = tmp_path / "melding.json"
    call_command("uwv_export", f"VZ-{w.case.pk:06d}", kind="42week", output=output)
    data = json.loads(output.read_text())
    assert schema_errors("ziekmelding-42e-week.v1.schema.json", data) == []
    assert data["werknemer"]["burgerservicenummer"] == BSN
    with tenant_scope(w.tenant_a):
        event = AuditEvent.objects.get(action="uwv_42_week_export")
    assert event.actor is None
    assert event.data["via"] == "commando"


def test_command_writes_csv_and_pdf(complete_facts, tmp_path):
    w = complete_facts
    csv_path = tmp_path / "melding.csv"
    pdf_path = tmp_path / "melding.pdf"
    call_command(
        "uwv_export", str(w.case.pk), kind="42week", output=csv_path, file_format="csv"
    )
    call_command(
        "uwv_export", str(w.case.pk), kind="42week", output=pdf_path, file_format="pdf"
    )
    assert f"werknemer.burgerservicenummer;Burgerservicenummer;{BSN}" in (
        csv_path.read_text(encoding="utf-8-sig")
    )
    assert pdf_path.read_bytes().startswith(b"%PDF-")


def test_command_writes_the_package(uwv_case, tmp_path):
    output = tmp_path / "riv.zip"
    call_command("uwv_export", str(uwv_case.case.pk), kind="riv", output=output)
    files = unzip(output.read_bytes())
    manifest = json.loads(files["manifest.json"])
    assert schema_errors("riv-pakket-manifest.v1.schema.json", manifest) == []
    assert len(manifest["bestanden"]) == 6


def test_command_lists_what_is_missing(dossier, tmp_path):
    output = tmp_path / "melding.json"
    with pytest.raises(CommandError, match="Loonheffingennummer van de werkgever"):
        call_command("uwv_export", str(dossier.case.pk), kind="42week", output=output)
    assert not output.exists()


def test_command_refuses_an_unknown_case(world, tmp_path):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("uwv_export", "VZ-999999", kind="riv", output=tmp_path / "x.zip")
