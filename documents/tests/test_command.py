"""`manage.py render_document CASE KIND --output FILE.pdf`."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role
from documents.models import DocumentKind
from documents.selectors import case_reference
from documents.services import document_create, document_update
from documents.tests.factories import MEDICAL_SECRET
from documents.tests.helpers import flat, pdf_text


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_renders_every_kind_by_reference_without_a_stored_version(
    dossier, tmp_path, kind
):
    output = tmp_path / f"{kind}.pdf"
    reference = case_reference(case=dossier.case)
    call_command("render_document", reference, kind, output=str(output))
    text = flat(pdf_text(output.read_bytes()))
    assert "J.P. de Vries" in text
    assert f"Dossier {reference}" in text
    assert MEDICAL_SECRET not in text


def test_renders_the_latest_version_by_case_id(dossier, tmp_path):
    document = document_create(
        actor=dossier.user(Role.CASEMANAGER),
        case=dossier.case,
        kind=DocumentKind.PLAN_VAN_AANPAK,
    )
    document_update(
        actor=dossier.user(Role.CASEMANAGER),
        document=document,
        data={"visie_werkgever": "Werkgever ziet kansen in de werkplaats."},
    )
    output = tmp_path / "pva.pdf"
    call_command(
        "render_document",
        str(dossier.case.pk),
        "plan_van_aanpak",
        output=str(output),
        tenant="tenant-a",
    )
    assert "Werkgever ziet kansen in de werkplaats." in flat(
        pdf_text(output.read_bytes())
    )


def test_unknown_case_kind_or_other_tenant_is_an_error(dossier, tmp_path):
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("render_document", "VZ-999999", "plan_van_aanpak", output=output)
    with pytest.raises(CommandError, match="Onbekende soort"):
        call_command("render_document", str(dossier.case.pk), "brief", output=output)
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command(
            "render_document",
            str(dossier.case.pk),
            "plan_van_aanpak",
            output=output,
            tenant="tenant-b",
        )


def test_renders_the_reintegratieverslag_and_reports_the_check(
    complete_case, tmp_path, capsys
):
    output = tmp_path / "riv.pdf"
    call_command(
        "render_document",
        case_reference(case=complete_case.case),
        "reintegratieverslag",
        output=str(output),
    )
    text = flat(pdf_text(output.read_bytes()))
    assert "Re-integratieverslag" in text
    assert "Oordeel van de werknemer" in text
    assert "re-integratieverslag" in capsys.readouterr().out
