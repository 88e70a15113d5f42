"""Every document kind renders as a UWV-style PDF: sections, labels, the
case's own values, sane page counts, never medical text; rendering is
sandboxed."""

import hashlib
import io

import pytest
from pypdf import PdfReader

from accounts.models import Role
from documents.build import document_pdf_bytes
from documents.models import DocumentKind
from documents.rendering import StaticOnlyFetcher, html_to_pdf
from documents.selectors import case_reference
from documents.services import document_create, document_update
from documents.tests.factories import MEDICAL_SECRET
from documents.tests.helpers import flat, pdf_pages, pdf_text


def _draft(w, kind, **data):
    document = document_create(actor=w.user(Role.CASEMANAGER), case=w.case, kind=kind)
    if data:
        document = document_update(
            actor=w.user(Role.CASEMANAGER), document=document, data=data
        )
    return document


def _render(document, fetcher=None):
    return document_pdf_bytes(
        document=document, signatures=list(document.signatures.all()), fetcher=fetcher
    )


AFSPRAKEN = [
    {
        "probleemveld": "arbeidsinhoud",
        "activiteit": "Aangepast eigen werk: alleen binnenwerk",
        "wie": "werknemer, leidinggevende",
        "planning": "vanaf week 9",
    },
    {
        "probleemveld": "arbeidsverhoudingen",
        "activiteit": "Wekelijks contact met de leidinggevende",
        "wie": "leidinggevende",
        "planning": "wekelijks",
    },
]


def test_plan_van_aanpak_shows_every_uwv_section_with_the_case_values(dossier):
    document = _draft(
        dossier,
        DocumentKind.PLAN_VAN_AANPAK,
        visie_werknemer="Ik wil graag terug naar mijn eigen werk.",
        visie_werkgever="Eigen werk met aanpassingen is mogelijk.",
        einddoelen=["eigen_functie_aanpassingen"],
        afspraken=AFSPRAKEN,
    )
    pages = pdf_pages(_render(document))
    text = flat("\n".join(pages))

    assert 1 <= len(pages) <= 4
    for number, title in [
        ("1", "Werknemer"),
        ("2", "Werkgever"),
        ("3", "Arbodienst/bedrijfsarts"),
        ("4", "Functie van de werknemer"),
        ("5", "Visie werknemer en werkgever"),
        ("6", "Einddoel"),
        ("7", "Afspraken"),
        ("8", "Ondertekening"),
    ]:
        assert f"{number} {title}" in text
    for label in [
        "1.1 Voorletters en achternaam",
        "1.2 Burgerservicenummer",
        "2.1 Bedrijfsnaam",
        "2.2 Naam contactpersoon",
        "3.1 Naam bedrijfsarts",
        "4.1 Functie",
        "6.1 Wat is het einddoel van de re-integratie?",
        "Werkhervatting in eigen functie met aanpassingen",
        "Ander einddoel dan het advies van uw arbodienst of bedrijfsarts",
        "Activiteit Wie Planning",
    ]:
        assert label in text, label
    # The case's own facts, prefilled.
    assert "J.P. de Vries" in text
    assert "(geboortenaam Bakker)" in text
    assert "******333" in text
    assert "111222333" not in text
    assert dossier.employer_a1.name in text
    assert "P. Pieterse" in text
    assert dossier.user(Role.BEDRIJFSARTS).full_name in text
    assert "Timmerman" in text
    assert "Aantal uren per week: 38" in text
    assert "Opbouwen in eigen werk, starten met 2 x 4 uur per week." in text
    assert "Ik wil graag terug naar mijn eigen werk." in text
    assert "Wekelijks contact met de leidinggevende" in text
    # Probleemvelden group the agreements.
    assert "Arbeidsinhoud" in text
    assert "Arbeidsverhoudingen" in text
    assert text.index("Arbeidsinhoud") < text.index("Aangepast eigen werk")


def test_no_medical_text_in_any_document_kind(dossier):
    for kind in DocumentKind.values:
        document = _draft(dossier, kind)
        text = pdf_text(_render(document))
        assert MEDICAL_SECRET not in text, kind
        assert "Fysiotherapie en pijnstilling" not in text, kind
        assert MEDICAL_SECRET not in str(document.data), kind


def test_every_page_has_running_header_and_page_x_of_y(dossier):
    rows = [
        {
            "probleemveld": "arbeidsinhoud",
            "activiteit": f"Stap {n} van de opbouw in eigen werk, met overleg "
            "over taken, tempo en uren met de leidinggevende en de casemanager",
            "wie": "werknemer, leidinggevende",
            "planning": f"week {8 + n}",
        }
        for n in range(60)
    ]
    document = _draft(dossier, DocumentKind.PLAN_VAN_AANPAK, afspraken=rows)
    pages = pdf_pages(_render(document))
    total = len(pages)
    assert 3 <= total <= 12
    reference = case_reference(case=dossier.case)
    for number, page in enumerate(pages, start=1):
        assert "J.P. de Vries" in page
        assert f"Dossier {reference}" in page
        assert f"pagina {number} van {total}" in page
    # The agreements table breaks across pages and repeats its header.
    continued = [p for p in pages[1:-1] if "Stap" in p]
    assert continued
    assert all("Activiteit" in p and "Planning" in p for p in continued)


def test_english_document_numbers_pages_in_english(dossier):
    document = _draft(dossier, DocumentKind.PLAN_VAN_AANPAK)
    document.language = "en"
    document.save()
    pages = pdf_pages(_render(document))
    assert f"page 1 of {len(pages)}" in pages[0]
    # The form itself stays Dutch, as UWV requires.
    assert "Voorletters en achternaam" in pages[0]


def test_pdf_is_pdf_a_with_the_bundled_fonts_embedded(dossier):
    pdf = _render(_draft(dossier, DocumentKind.PLAN_VAN_AANPAK))
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    metadata = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in metadata
    assert "/OutputIntents" in root
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    # Only the bundled faces of @font-face (subset), never a system font.
    assert all(name.split("+")[-1].startswith("Hervat-Sans") for name in fonts)


@pytest.mark.parametrize(
    "payload",
    [
        '<img src="file:///etc/passwd">',
        '<img src="https://tracker.example/pixel.png">',
        '<link rel="stylesheet" href="http://evil.example/x.css">',
        '<div style="background:url(file:///etc/shadow)">x</div>',
    ],
)
def test_markup_in_a_user_field_is_shown_as_text_and_fetches_nothing(dossier, payload):
    document = _draft(
        dossier,
        DocumentKind.PLAN_VAN_AANPAK,
        visie_werknemer=f"Mijn visie {payload}",
        afspraken=[
            {
                "probleemveld": "overige",
                "activiteit": payload,
                "wie": "casemanager",
                "planning": "nu",
            }
        ],
    )
    fetcher = StaticOnlyFetcher()
    pdf = _render(document, fetcher=fetcher)
    assert fetcher.refused == []
    assert set(fetcher.served) <= {
        "fonts/DejaVuSans.ttf",
        "fonts/DejaVuSans-Bold.ttf",
        "fonts/DejaVuSans-Oblique.ttf",
    }
    assert payload in flat(pdf_text(pdf))
    assert b"/Subtype /Image" not in pdf
    assert b"root:x:0:0" not in pdf


def test_the_sandbox_refuses_everything_but_our_static_files():
    fetcher = StaticOnlyFetcher()
    html = (
        '<p>Hallo</p><img src="file:///etc/passwd">'
        '<img src="http://127.0.0.1:1/x.png">'
        '<img src="hervat-static:/../../../../etc/passwd">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<link rel="stylesheet" href="https://evil.example/a.css">'
    )
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert set(fetcher.refused) == {
        "file:///etc/passwd",
        "http://127.0.0.1:1/x.png",
        "hervat-static:/../../../../etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://evil.example/a.css",
    }
    assert fetcher.served == []
    assert b"/Subtype /Image" not in pdf


@pytest.mark.parametrize(
    ("kind", "labels"),
    [
        (
            DocumentKind.EVALUATIE,
            [
                "3 Aanleiding evaluatie",
                "3.1 Wat is de aanleiding van de evaluatie?",
                "Periodieke evaluatie",
                "4 Verantwoording van de activiteiten",
                "4.2 Zijn de afgesproken re-integratieactiviteiten volgens plan",
                "4.3 Is er reden om het einddoel van de re-integratie bij te stellen?",
                "5.1 Kruis aan welke situatie van toepassing is.",
                "De werknemer doet zijn eigen werk",
                "Uren per week",
                "Sinds",
                "6.1 Wat is het einddoel van de re-integratie?",
                "7 Ondertekening",
            ],
        ),
        (
            DocumentKind.EERSTEJAARSEVALUATIE,
            ["Eerstejaarsevaluatie (is verplicht na 1 jaar ziekte)", "7 Ondertekening"],
        ),
        (DocumentKind.EINDEVALUATIE, ["Eindevaluatie plan van aanpak"]),
        (
            DocumentKind.UWV_42_WEEK_MELDING,
            [
                "Ziekmelding 42e week",
                "2.2 Loonheffingennummer",
                "3.1 Eerste arbeidsongeschiktheidsdag 01-10-2026",
                "3.2 Percentage arbeidsongeschikt 100%",
                "4.2 Contracturen per week 38",
            ],
        ),
        (
            DocumentKind.PROBLEEMANALYSE,
            [
                "4 Oordeel van de bedrijfsarts",
                "4.1 Beperkingen en mogelijkheden Niet tillen boven 10 kg",
                "4.2 Prognose Herstel binnen drie maanden verwacht.",
                "4.3 Advies over werkhervatting Opbouwen in eigen werk",
                "3.3 Datum probleemanalyse 10-11-2026",
            ],
        ),
    ],
)
def test_each_kind_renders_its_form_with_the_case_values(dossier, kind, labels):
    pages = pdf_pages(_render(_draft(dossier, kind)))
    text = flat("\n".join(pages))
    assert 1 <= len(pages) <= 4
    assert "1.1 Voorletters en achternaam J.P. de Vries" in text
    assert "******333" in text
    assert dossier.employer_a1.name in text
    for label in labels:
        assert label in text, label


def test_evaluatie_carries_the_plan_agreements_and_hours_forward(dossier):
    from cases.tests.factories import WorkabilityChangeFactory

    plan = _draft(
        dossier,
        DocumentKind.PLAN_VAN_AANPAK,
        einddoelen=["eigen_functie"],
        afspraken=AFSPRAKEN,
    )
    assert plan.data["afspraken"] == AFSPRAKEN
    import datetime as dt

    WorkabilityChangeFactory(
        case=dossier.case,
        effective_date=dt.date(2026, 11, 2),
        percentage_unfit=50,
        hours_worked=19,
    )
    evaluatie = _draft(dossier, DocumentKind.EVALUATIE)
    text = flat(pdf_text(_render(evaluatie)))
    assert "Wekelijks contact met de leidinggevende" in text
    assert "Uren per week: 19" in text
    assert "Sinds: 02-11-2026" in text


def test_rendering_twice_gives_the_same_text(dossier):
    document = _draft(dossier, DocumentKind.PLAN_VAN_AANPAK)
    first, second = _render(document), _render(document)
    assert pdf_text(first) == pdf_text(second)
    assert hashlib.sha256(first).hexdigest()  # bytes may carry a fresh id
