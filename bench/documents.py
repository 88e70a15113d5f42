"""Document benchmarks (DESIGN.md §9): figures and ratios, never pass/fail.

    .venv/bin/python bench/documents.py      # part of `make bench`

- plan van aanpak in a warm process, next to its floor: WeasyPrint alone on
  the same HTML with the same sandboxed fetcher (target: ≤ 1.2x);
- a ~60-page re-integratieverslag: every part rendered from nothing, and
  with the signed parts already stored (only cover, contents and overview
  rendered, then merged with pypdf) — targets ≤ 12 s and ≤ 3 s.

Needs no database: the documents are built from plain context values, the
same dataclasses the templates get in production.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_PDF_RUNS", "7"))


def report(name: str, value: str, note: str = "") -> None:
    print(f"{name:<58} {value:>18}  {note}")


def _median(work: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from pypdf import PdfReader, PdfWriter

    from documents import contexts
    from documents.rendering import (
        StaticOnlyFetcher,
        html_to_pdf,
        render_html,
        render_pdf,
    )

    def header(title: str) -> contexts.Header:
        return contexts.Header(
            title,
            "J.P. de Vries",
            "VZ-000042",
            "Bouwbedrijf B.V.",
            1,
            "Ondertekend",
            False,
            "pagina",
            "van",
        )

    signatures = (
        contexts.SignatureLine("Werkgever", "H. R.", "01-02-2025 10:00", "In Hervat"),
        contexts.SignatureLine(
            "Werknemer", "J.P. de Vries", "01-02-2025 10:05", "In Hervat"
        ),
    )
    afspraken = [
        {
            "probleemveld": veld,
            "activiteit": f"Activiteit {n}: opbouw in eigen werk met overleg",
            "wie": "werknemer, leidinggevende",
            "planning": f"week {8 + n}",
        }
        for n, veld in enumerate(
            [
                "arbeidsinhoud",
                "arbeidsomstandigheden",
                "arbeidsverhoudingen",
                "sociaal_medische_zaken",
                "overige",
            ]
            * 2
        )
    ]
    data = {
        "werknemer_naam": "J.P. de Vries",
        "werknemer_bsn": "******333",
        "werkgever_naam": "Bouwbedrijf B.V.",
        "functie_naam": "Timmerman",
        "functie_omschrijving": "Kozijnen maken en plaatsen.",
        "functie_uren": "38",
        "visie_werknemer": "Wil terug naar eigen werk.",
        "visie_werkgever": "Eigen werk met aanpassingen kan.",
        "einddoelen": ["eigen_functie"],
        "afspraken": afspraken,
        "activiteiten": "Werkplek aangepast, opbouw van uren.",
        "volgens_plan": "ja",
        "sit_eigen_werk": True,
        "eigen_werk_uren": "16",
        "eigen_werk_sinds": "2025-04-01",
    }
    pva = contexts.plan_van_aanpak_context(data, header("Plan van aanpak"), signatures)

    # Warm up: imports, fonts, template loading.
    render_pdf(template_name="documents/plan_van_aanpak.html", context=pva)
    html = render_html(template_name="documents/plan_van_aanpak.html", context=pva)
    ours = _median(
        lambda: render_pdf(template_name="documents/plan_van_aanpak.html", context=pva)
    )
    floor = _median(lambda: html_to_pdf(html, fetcher=StaticOnlyFetcher()))
    pages = len(PdfReader(io.BytesIO(html_to_pdf(html))).pages)
    report(
        f"plan van aanpak PDF, warm ({pages} pages)",
        f"{ours * 1000:.0f} ms",
        f"floor WeasyPrint alone {floor * 1000:.0f} ms; ratio "
        f"{ours / floor:.2f} (target ≤ 1.2)",
    )

    def render_parts() -> list[bytes]:
        parts = [
            render_pdf(template_name="documents/plan_van_aanpak.html", context=pva)
        ]
        for n in range(18):
            ctx = contexts.evaluatie_context(
                data, header(f"Evaluatie {n + 1}"), signatures
            )
            parts.append(
                render_pdf(template_name="documents/evaluatie.html", context=ctx)
            )
        return parts

    def fresh_front_and_overview() -> list[bytes]:
        rows = tuple(
            contexts.Activiteit(
                "01-01-2025",
                "Contact (telefoon)",
                "werknemer",
                f"Voortgangsgesprek {n}: werkhervatting besproken.",
            )
            for n in range(60)
        )
        overview = render_pdf(
            template_name="documents/activiteitenoverzicht.html",
            context=contexts.Activiteitenoverzicht(header("Overzicht"), rows),
        )
        toc = tuple(contexts.TocEntry(f"Deel {n}", "", n + 3) for n in range(22))
        front = render_pdf(
            template_name="documents/reintegratieverslag_voorwerk.html",
            context=contexts.Voorwerk(
                header("Re-integratieverslag"),
                "J.P. de Vries",
                "******333",
                "Bouwbedrijf B.V.",
                "04-11-2024",
                "1 augustus 2026",
                toc,
            ),
        )
        return [front, overview]

    def merge(parts: list[bytes]) -> bytes:
        writer = PdfWriter()
        for part in parts:
            writer.append(io.BytesIO(part))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    stored: list[bytes] = []

    def from_nothing() -> bytes:
        stored[:] = render_parts()
        return merge(fresh_front_and_overview() + stored)

    riv = from_nothing()
    riv_pages = len(PdfReader(io.BytesIO(riv)).pages)
    cold = _median(from_nothing, runs=3)
    cached = _median(lambda: merge(fresh_front_and_overview() + stored), runs=5)
    report(
        f"re-integratieverslag from nothing ({riv_pages} pages)",
        f"{cold:.2f} s",
        f"{riv_pages / cold:.1f} pages/s (target ≤ 12 s)",
    )
    report(
        "re-integratieverslag, signed parts stored",
        f"{cached:.2f} s",
        f"{riv_pages / cached:.1f} pages/s; {cold / cached:.1f}x faster (target ≤ 3 s)",
    )


if __name__ == "__main__":
    main()
