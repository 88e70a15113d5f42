"""The re-integratieverslag: parts in UWV order, a contents page whose page
numbers are the real pages, never medical text, and a completeness check
that names what is missing, unsigned or late."""

import datetime as dt

from accounts.models import Role
from documents.models import DocumentKind
from documents.reintegratieverslag import (
    reintegratieverslag_assemble,
    reintegratieverslag_findings,
)
from documents.services import document_create
from documents.tests.factories import MEDICAL_SECRET
from documents.tests.helpers import flat, pdf_pages, sign_document
from poortwachter.services import chain_timeline


def test_complete_riv_has_parts_in_uwv_order_and_true_page_numbers(complete_case):
    w = complete_case
    riv = reintegratieverslag_assemble(case=w.case, today=w.today)
    pages = [flat(text) for text in pdf_pages(riv.pdf)]

    assert riv.findings == ()
    assert 40 <= len(pages) <= 90
    assert "Re-integratieverslag" in pages[0]
    assert "J.P. de Vries" in pages[0]
    assert "Inhoud" in pages[1]

    titles = [entry.title for entry in riv.toc]
    order = [
        "Probleemanalyse: deel voor werkgever en werknemer",
        "Plan van aanpak",
        "Evaluatie en bijstelling plan van aanpak",
        "Overzicht van activiteiten en contacten",
        "Eindevaluatie plan van aanpak",
        "Oordeel van de werknemer",
    ]
    positions = [titles.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Eerstejaarsevaluatie" in titles
    # Evaluations of both kinds stand together, by date, before the overview.
    evaluations = [
        i
        for i, t in enumerate(titles)
        if t in ("Eerstejaarsevaluatie", "Evaluatie en bijstelling plan van aanpak")
    ]
    assert evaluations == list(range(evaluations[0], evaluations[-1] + 1))
    assert evaluations[-1] < titles.index("Overzicht van activiteiten en contacten")

    # Every contents entry points at the page where that part starts.
    for entry in riv.toc:
        page = pages[entry.page - 1]
        assert entry.title in page, (entry, page[:200])
        assert f"{entry.page}" in pages[1] or f"{entry.page}" in pages[2]
    # The contents lists the page numbers as printed.
    contents = " ".join(pages[1:3])
    for entry in riv.toc[:5]:
        assert entry.title in contents

    whole = " ".join(pages)
    assert MEDICAL_SECRET not in whole
    assert "Voortgangsgesprek 3: werkhervatting besproken." in whole
    assert "Document ondertekend" in whole


def test_signed_parts_are_taken_from_storage_not_rendered_again(complete_case):
    from documents.models import Document
    from documents.rendering import StaticOnlyFetcher

    w = complete_case
    stored = {
        d.pk: d.pdf.read()
        for d in Document.objects.filter(case=w.case, status="ondertekend")
    }
    fetcher = StaticOnlyFetcher()
    riv = reintegratieverslag_assemble(case=w.case, today=w.today, fetcher=fetcher)
    assert riv.pdf.startswith(b"%PDF-")
    # Only the overview, opinion page and front matter went through the
    # renderer: three font loads per rendered document.
    assert len(fetcher.served) <= 3 * 4
    for document in Document.objects.filter(case=w.case, status="ondertekend"):
        assert document.pdf.read() == stored[document.pk]


def test_incomplete_case_lists_what_is_missing_unsigned_and_late(long_case):
    w = long_case
    w.analysis.made_on = w.due["probleemanalyse"].due + dt.timedelta(days=10)
    w.analysis.save()
    _chain, timeline = chain_timeline(case=w.case)
    pva_due = {m.code: m for m in timeline.milestones}["plan_van_aanpak"].due
    sign_document(w, DocumentKind.PLAN_VAN_AANPAK, pva_due + dt.timedelta(days=19))
    casemanager = w.user(Role.CASEMANAGER)
    draft = document_create(actor=casemanager, case=w.case, kind=DocumentKind.EVALUATIE)

    messages = [
        f.message for f in reintegratieverslag_findings(case=w.case, today=w.today)
    ]
    text = "\n".join(messages)
    assert "Probleemanalyse opgesteld 10 dagen na week 6" in text
    assert "De probleemanalyse (deel werkgever) is nog niet vastgesteld" in text
    assert "Plan van aanpak ondertekend 19 dagen na week 8" in text
    assert "Geen evaluatie tussen week" in text
    assert "Er is geen eerstejaarsevaluatie" in text
    assert "Er is geen eindevaluatie" in text
    label = "Evaluatie en bijstelling plan van aanpak"
    assert f"{label} versie {draft.version} is nog een concept." in text
    assert "Er zijn geen contactmomenten vastgelegd." in text


def test_steps_not_yet_due_are_listed_as_still_to_do(dossier):
    today = dt.date(2026, 11, 5)  # week 6 of a case from 1 October 2026
    dossier.analysis.medical.delete()
    dossier.analysis.delete()
    messages = [
        f.message for f in reintegratieverslag_findings(case=dossier.case, today=today)
    ]
    assert "De probleemanalyse van de bedrijfsarts moet nog komen" in messages[0]
    assert any("Het plan van aanpak moet nog" in m for m in messages)
    assert any(m.startswith("De eindevaluatie moet nog (uiterlijk") for m in messages)
    assert not any(m.startswith("Er is geen") for m in messages)


def test_a_missing_analysis_and_plan_are_named(long_case):
    w = long_case
    w.analysis.medical.delete()
    w.analysis.delete()
    messages = [
        f.message for f in reintegratieverslag_findings(case=w.case, today=w.today)
    ]
    assert "Er is geen probleemanalyse van de bedrijfsarts." in messages
    assert "Er is geen ondertekend plan van aanpak." in messages


def test_activity_overview_lists_interventions(complete_case):
    from accounts.scoping import tenant_scope
    from cases.services import intervention_create

    w = complete_case
    with tenant_scope(w.case.tenant):
        intervention_create(
            actor=w.user(Role.CASEMANAGER),
            case=w.case,
            kind="werkplekonderzoek",
            provider="Ergo Advies B.V.",
            requested_on=w.case.first_sick_day + dt.timedelta(days=50),
            start_date=w.case.first_sick_day + dt.timedelta(days=57),
            end_date=w.case.first_sick_day + dt.timedelta(days=70),
            cost=None,
            status="afgerond",
            notes="Bureauwerkplek aangepast.",
        )
    riv = reintegratieverslag_assemble(case=w.case, today=w.today)
    text = " ".join(flat(page) for page in pdf_pages(riv.pdf))
    assert "Interventie: Werkplekonderzoek" in text
    assert "Ergo Advies B.V." in text
