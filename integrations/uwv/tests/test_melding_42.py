"""The 42-week report: a data file that validates against its schema and
holds what UWV asks, the list of what is missing, and the PDF with the BSN."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from cases.models import AbsenceCase, CaseStatus, WorkabilityChange
from documents.models import DocumentKind
from documents.services import (
    document_create,
    document_sign,
    document_signatures_request,
    document_update,
)
from integrations.uwv import selectors, services
from integrations.uwv.tests.conftest import BSN
from integrations.uwv.tests.helpers import page_texts, schema_errors

SCHEMA = "ziekmelding-42e-week.v1.schema.json"
NOW = dt.datetime(2025, 8, 21, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def signed_melding(complete_facts, long_case):
    """First sick day Monday 4 November 2024; the 42-week report signed by
    the employer on 20 August 2025."""
    w = long_case
    casemanager = w.user(Role.CASEMANAGER)
    melding = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.UWV_42_WEEK_MELDING
    )
    document_signatures_request(actor=casemanager, document=melding)
    document_sign(
        actor=w.user(Role.HR),
        document=melding,
        party="werkgever",
        name="H. R. Adviseur",
        now=dt.datetime(2025, 8, 20, 10, 0, tzinfo=dt.UTC),
    )
    melding.refresh_from_db()
    w.melding = melding
    return w


def _export(w, file_format):
    return services.melding_42_export(
        actor=w.user(Role.HR), case=w.case, file_format=file_format, now=NOW
    )


def test_json_validates_and_holds_what_uwv_asks(signed_melding):
    w = signed_melding
    export = _export(w, "json")
    data = json.loads(export.content)
    assert schema_errors(SCHEMA, data) == []
    assert export.filename == f"ziekmelding-42e-week-VZ-{w.case.pk:06d}.json"
    assert data["bron"] == {
        "document_versie": 1,
        "status": "ondertekend",
        "ondertekend_op": "2025-08-20",
        "sha256": w.melding.sha256,
    }
    assert data["werkgever"] == {
        "naam": "A1 Bouw",
        "loonheffingennummer": "123456789L01",
        "eigenrisicodrager_zw": True,
        "eigenrisicodrager_wga": False,
        "contactpersoon": {
            "naam": w.user(Role.CASEMANAGER).get_full_name(),
            "telefoon": "010-1234567",
        },
    }
    assert data["werknemer"] == {
        "burgerservicenummer": BSN,
        "naam": "J.P. de Vries",
        "geboortenaam": "Bakker",
        "geboortedatum": "1980-05-17",
        "personeelsnummer": w.case.employee.personnel_number,
    }
    assert data["arbeidsongeschiktheid"] == {
        "eerste_ziektedag": "2024-11-04",
        "samentelling": False,
        "ziekteperiodes": [{"eerste_ziektedag": "2024-11-04", "hersteldatum": None}],
        "percentage_arbeidsongeschikt": 100,
        "werkt_gedeeltelijk": False,
        "gewerkte_uren_per_week": None,
        "verwachte_duur": "onbekend",
        "ongeval_of_aansprakelijke_derde": False,
        "vangnet": None,
    }
    assert data["dienstverband"] == {
        "functie": "Timmerman",
        "contracturen_per_week": 38.0,
        "in_dienst_sinds": "2020-01-01",
        "uit_dienst_per": None,
    }
    # No plan van aanpak signed yet; the bedrijfsarts said one is needed.
    assert data["plan_van_aanpak"] == {
        "opgesteld": False,
        "ondertekend_op": None,
        "nodig_volgens_bedrijfsarts": True,
    }
    # Week 42 ends on Sunday 24 August 2025 (sick day 294): the report is due
    # on the first working day after it.
    assert data["melding"] == {"uiterste_datum": "2025-08-25", "toelichting": ""}


def test_samentelling_and_partial_work_are_in_the_data(complete_facts):
    w = complete_facts
    case = w.case
    earlier = AbsenceCase.objects.create(
        tenant=case.tenant,
        employee=case.employee,
        first_sick_day=dt.date(2026, 8, 3),
        recovery_date=dt.date(2026, 9, 14),
        status=CaseStatus.RECOVERED,
        reported_at=timezone.now(),
    )
    case.previous_case = earlier
    case.save()
    WorkabilityChange.objects.create(
        tenant=case.tenant,
        case=case,
        effective_date=dt.date(2026, 11, 2),
        percentage_unfit=50,
        hours_worked=Decimal("19.0"),
    )
    export = _export(w, "json")
    data = json.loads(export.content)
    assert schema_errors(SCHEMA, data) == []
    assert data["bron"]["status"] == "voorbeeld"
    incapacity = data["arbeidsongeschiktheid"]
    assert incapacity["eerste_ziektedag"] == "2026-08-03"
    assert incapacity["samentelling"] is True
    assert incapacity["ziekteperiodes"] == [
        {"eerste_ziektedag": "2026-08-03", "hersteldatum": "2026-09-14"},
        {"eerste_ziektedag": "2026-10-01", "hersteldatum": None},
    ]
    assert incapacity["percentage_arbeidsongeschikt"] == 50
    assert incapacity["werkt_gedeeltelijk"] is True
    assert incapacity["gewerkte_uren_per_week"] == 19.0


def test_missing_data_is_listed_and_no_data_file_is_made(dossier):
    w = dossier
    employee = w.case.employee
    employee.bsn = ""
    employee.save()
    source = selectors.melding_42_source(case=w.case)
    assert selectors.melding_42_missing(case=w.case, source=source) == [
        "Burgerservicenummer van de werknemer ontbreekt (bij de werknemer).",
        "Geboortedatum van de werknemer ontbreekt (vraag 1.3).",
        "Loonheffingennummer van de werkgever ontbreekt (vraag 2.2).",
    ]
    for file_format in ("json", "csv"):
        with pytest.raises(services.MissingDataError) as error:
            _export(w, file_format)
        assert "Loonheffingennummer van de werkgever ontbreekt" in error.value.message
    # The form itself can still be printed, as a concept.
    assert _export(w, "pdf").content.startswith(b"%PDF-")


def test_a_malformed_loonheffingennummer_is_reported(complete_facts):
    w = complete_facts
    casemanager = w.user(Role.CASEMANAGER)
    melding = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.UWV_42_WEEK_MELDING
    )
    document_update(
        actor=casemanager, document=melding, data={"loonheffingennummer": "12345"}
    )
    source = selectors.melding_42_source(case=w.case)
    assert source.pk == melding.pk
    assert selectors.melding_42_missing(case=w.case, source=source) == [
        "Loonheffingennummer van de werkgever heeft niet de vorm 123456789L01 "
        "(vraag 2.2)."
    ]


def test_csv_has_the_same_data_with_labels_and_no_formulas(complete_facts):
    w = complete_facts
    casemanager = w.user(Role.CASEMANAGER)
    melding = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.UWV_42_WEEK_MELDING
    )
    document_update(
        actor=casemanager,
        document=melding,
        data={"toelichting": '=HYPERLINK("http://example.test")'},
    )
    export = _export(w, "csv")
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = {
        row["veld"]: row
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    }
    assert rows["werknemer.burgerservicenummer"]["waarde"] == BSN
    assert rows["werknemer.burgerservicenummer"]["omschrijving"] == (
        "Burgerservicenummer"
    )
    assert rows["werkgever.loonheffingennummer"]["waarde"] == "123456789L01"
    assert rows["werkgever.eigenrisicodrager_zw"]["waarde"] == "ja"
    assert rows["dienstverband.contracturen_per_week"]["waarde"] == "38"
    assert rows["arbeidsongeschiktheid.ziekteperiodes.1.eerste_ziektedag"][
        "waarde"
    ] == ("2026-10-01")
    assert rows["werkgever.contactpersoon.telefoon"]["waarde"] == "010-1234567"
    assert rows["melding.toelichting"]["waarde"] == (
        '\'=HYPERLINK("http://example.test")'
    )


def test_signed_pdf_is_the_stored_one_with_the_bsn_band(signed_melding):
    w = signed_melding
    with w.melding.pdf.open("rb") as stored:
        original = stored.read()
    export = _export(w, "pdf")
    pages = page_texts(export.content)
    assert pages
    for page in pages:
        assert BSN in page
        assert "J.P. de Vries" in page
    assert "CONCEPT" not in " ".join(pages)
    # The band is laid over the stored PDF; the original stays as signed.
    assert len(pages) == len(page_texts(original))
    with w.melding.pdf.open("rb") as stored:
        assert stored.read() == original


def test_unsigned_pdf_is_a_fresh_render_marked_concept(complete_facts):
    export = _export(complete_facts, "pdf")
    pages = page_texts(export.content)
    assert "CONCEPT" in pages[0]
    assert "nog niet ondertekend" in pages[0]
    assert all(BSN in page for page in pages)
