"""The re-integratieverslag (RIV): its completeness check and its assembly.

The RIV is one PDF: a cover and table of contents, then the parts in UWV's
order — probleemanalyse (employer part), plan van aanpak and every
bijstelling, every evaluation including the eerstejaarsevaluatie, the
activity overview, the eindevaluatie — and a page for the employee's
opinion. Signed parts are taken from storage as they were signed (never
rendered again); only the cover, the contents and the overview are rendered
fresh, then everything is merged with pypdf. Medical documents are never
part of it: no part reads ``ProbleemanalyseMedical``.

Reads only: nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from pypdf import PdfReader, PdfWriter

from cases.models import AbsenceCase, ContactNote, Intervention
from documents import contexts
from documents.build import PAGE_WORDS
from documents.models import Document, DocumentKind, DocumentStatus
from documents.registry import document_type
from documents.rendering import StaticOnlyFetcher, render_pdf
from documents.selectors import case_reference, employee_form_name

# UWV's order of the parts; evaluations of both kinds are one group, by date.
PART_ORDER = (
    (DocumentKind.PROBLEEMANALYSE,),
    (DocumentKind.PLAN_VAN_AANPAK,),
    (DocumentKind.EVALUATIE, DocumentKind.EERSTEJAARSEVALUATIE),
    ("activiteitenoverzicht",),
    (DocumentKind.EINDEVALUATIE,),
    ("oordeel_werknemer",),
)
TOC_LABELS = {
    DocumentKind.PROBLEEMANALYSE: "Probleemanalyse (deel werkgever)",
    DocumentKind.PLAN_VAN_AANPAK: "Plan van aanpak",
    DocumentKind.EVALUATIE: "Evaluatie en bijstelling plan van aanpak",
    DocumentKind.EERSTEJAARSEVALUATIE: "Eerstejaarsevaluatie",
    DocumentKind.EINDEVALUATIE: "Eindevaluatie plan van aanpak",
    "activiteitenoverzicht": "Overzicht van activiteiten en contacten",
    "oordeel_werknemer": "Oordeel van de werknemer",
}
# Art. 25 lid 2 WIA (Regeling procesgang): evaluate at least every 6 weeks.
EVALUATION_INTERVAL_DAYS = 42


@dataclass(frozen=True)
class Finding:
    """One thing to fix before the RIV goes to UWV."""

    # ontbreekt, te_laat, niet_ondertekend, nog_te_doen (not yet due), let_op
    severity: str
    message: str


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    detail: str
    pdf: bytes

    @property
    def pages(self) -> int:
        return len(PdfReader(io.BytesIO(self.pdf)).pages)


@dataclass(frozen=True)
class Reintegratieverslag:
    pdf: bytes
    toc: tuple[contexts.TocEntry, ...]
    findings: tuple[Finding, ...]


def _d(day: dt.date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def _signed_documents(case: AbsenceCase) -> list[Document]:
    return list(
        Document.objects.filter(case=case, status=DocumentStatus.ONDERTEKEND)
        .exclude(pdf="")
        .order_by("signed_at", "pk")
    )


def _chain_first_sick_day(case: AbsenceCase) -> dt.date:
    from poortwachter.services import case_chain

    return case_chain(case=case)[0].first_sick_day


def _week(first: dt.date, day: dt.date) -> int:
    return (day - first).days // 7 + 1


def reintegratieverslag_findings(*, case: AbsenceCase, today: dt.date) -> list[Finding]:
    """What is missing, unsigned or late against the legal timeline, in the
    order UWV reads the RIV. An empty list means complete."""
    return reintegratieverslag_findings_for_cases(case_ids=[case.pk], today=today)[
        case.pk
    ]


@dataclass(frozen=True)
class ChainFacts:
    """What the RIV check needs of a case's chain besides its own documents:
    the counted period's first sick day, the chain's case ids and the due
    dates of the legal milestones that apply."""

    first_sick_day: dt.date
    case_ids: tuple[int, ...]
    due: Mapping[str, dt.date]


def _chain_facts_now(cases: Iterable[AbsenceCase]) -> dict[int, ChainFacts]:
    """The chains of ``cases`` as the rules see them now (recomputed)."""
    from poortwachter.services import chain_timelines

    facts: dict[int, ChainFacts] = {}
    for pk, (chain, timeline) in chain_timelines(cases=cases).items():
        facts[pk] = ChainFacts(
            first_sick_day=chain[0].first_sick_day,
            case_ids=tuple(c.pk for c in chain),
            due=(
                {m.code: m.due for m in timeline.milestones if m.applies}
                if timeline is not None
                else {}
            ),
        )
    return facts


def reintegratieverslag_findings_for_cases(
    *,
    case_ids: Iterable[int],
    today: dt.date,
    chains: Mapping[int, ChainFacts] | None = None,
) -> dict[int, list[Finding]]:
    """``reintegratieverslag_findings`` of many cases, per case id, in a fixed
    number of queries however many cases (the statistics count the open long
    cases whose RIV is incomplete).

    ``chains`` (per case id) gives the chain facts instead of recomputing the
    timelines: the statistics pass the deadlines the refresh stored, which
    keeps thousands of cases fast.
    """
    from poortwachter.models import Probleemanalyse, ProbleemanalyseKind

    case_ids = list(case_ids)
    if chains is None:
        chains = _chain_facts_now(AbsenceCase.objects.filter(pk__in=case_ids))
    every_id = {pk for case_id in case_ids for pk in chains[case_id].case_ids}
    documents: dict[int, list[Document]] = defaultdict(list)
    for document in (
        Document.objects.filter(case_id__in=case_ids)
        .only("case_id", "kind", "status", "version", "signed_at")
        .order_by("version")
    ):
        documents[document.case_id].append(document)
    analysed: dict[int, dt.date] = {}
    for case_id, made_on in Probleemanalyse.objects.filter(
        case_id__in=every_id, kind=ProbleemanalyseKind.EERSTE
    ).values_list("case_id", "made_on"):
        analysed[case_id] = min(made_on, analysed.get(case_id, made_on))
    with_contact = set(
        ContactNote.objects.filter(case_id__in=every_id)
        .values_list("case_id", flat=True)
        .distinct()
    )
    findings: dict[int, list[Finding]] = {}
    for case_id in case_ids:
        chain = chains[case_id]
        made = [analysed[pk] for pk in chain.case_ids if pk in analysed]
        findings[case_id] = _findings(
            today=today,
            due=chain.due,
            first=chain.first_sick_day,
            documents=documents[case_id],
            analysis_made_on=min(made) if made else None,
            has_contact=any(pk in with_contact for pk in chain.case_ids),
        )
    return findings


def _findings(
    *,
    today: dt.date,
    due: Mapping[str, dt.date],
    first: dt.date,
    documents: list[Document],
    analysis_made_on: dt.date | None,
    has_contact: bool,
) -> list[Finding]:
    """The completeness check of one RIV, on facts already loaded."""
    findings: list[Finding] = []
    signed = [d for d in documents if d.status == DocumentStatus.ONDERTEKEND]

    def signed_of(*kinds: str) -> list[Document]:
        return [d for d in signed if d.kind in kinds]

    # Probleemanalyse: the physician's record, and its employer part here.
    milestone = due.get("probleemanalyse")
    if analysis_made_on is None and milestone and today <= milestone:
        findings.append(
            Finding(
                "nog_te_doen",
                "De probleemanalyse van de bedrijfsarts moet nog komen "
                f"(uiterlijk {_d(milestone)}).",
            )
        )
    elif analysis_made_on is None:
        findings.append(
            Finding("ontbreekt", "Er is geen probleemanalyse van de bedrijfsarts.")
        )
    elif milestone and analysis_made_on > milestone:
        late = (analysis_made_on - milestone).days
        findings.append(
            Finding(
                "te_laat",
                f"Probleemanalyse opgesteld {late} dagen na week 6 "
                f"(op {_d(analysis_made_on)}, uiterlijk {_d(milestone)}).",
            )
        )
    if not signed_of(DocumentKind.PROBLEEMANALYSE):
        findings.append(
            Finding(
                "ontbreekt",
                "De probleemanalyse (deel werkgever) is nog niet vastgesteld in "
                "Hervat.",
            )
        )

    # Plan van aanpak.
    plans = signed_of(DocumentKind.PLAN_VAN_AANPAK)
    milestone = due.get("plan_van_aanpak")
    if not plans and milestone and today <= milestone:
        findings.append(
            Finding(
                "nog_te_doen",
                "Het plan van aanpak moet nog worden ondertekend "
                f"(uiterlijk {_d(milestone)}).",
            )
        )
    elif not plans:
        findings.append(Finding("ontbreekt", "Er is geen ondertekend plan van aanpak."))
    elif milestone and plans[0].signed_at:
        signed_on = localtime(plans[0].signed_at).date()
        if signed_on > milestone:
            late = (signed_on - milestone).days
            findings.append(
                Finding(
                    "te_laat",
                    f"Plan van aanpak ondertekend {late} dagen na week 8 "
                    f"(op {_d(signed_on)}, uiterlijk {_d(milestone)}).",
                )
            )

    # Evaluations at least every six weeks from the plan until the
    # eindevaluatie (or today).
    eind = signed_of(DocumentKind.EINDEVALUATIE)
    if plans and plans[0].signed_at:
        moments = sorted(
            localtime(d.signed_at).date()
            for d in signed_of(
                DocumentKind.PLAN_VAN_AANPAK,
                DocumentKind.EVALUATIE,
                DocumentKind.EERSTEJAARSEVALUATIE,
                DocumentKind.EINDEVALUATIE,
            )
            if d.signed_at
        )
        end = localtime(eind[-1].signed_at).date() if eind else today
        moments = [m for m in moments if m <= end] + [end]
        for earlier, later in itertools.pairwise(moments):
            if (later - earlier).days > EVALUATION_INTERVAL_DAYS:
                findings.append(
                    Finding(
                        "ontbreekt",
                        f"Geen evaluatie tussen week {_week(first, earlier)} en "
                        f"week {_week(first, later)} ({_d(earlier)} tot {_d(later)}).",
                    )
                )

    # Eerstejaarsevaluatie in its window.
    milestone = due.get("eerstejaarsevaluatie")
    first_year = signed_of(DocumentKind.EERSTEJAARSEVALUATIE)
    if milestone and not first_year and today > milestone:
        findings.append(
            Finding(
                "ontbreekt",
                f"Er is geen eerstejaarsevaluatie (uiterlijk {_d(milestone)}).",
            )
        )
    elif milestone and first_year and first_year[0].signed_at:
        signed_on = localtime(first_year[0].signed_at).date()
        if signed_on > milestone:
            findings.append(
                Finding(
                    "te_laat",
                    f"Eerstejaarsevaluatie ondertekend "
                    f"{(signed_on - milestone).days} dagen na week 52.",
                )
            )

    # Eindevaluatie before the WIA application.
    milestone = due.get("eindevaluatie")
    if not eind and milestone and today <= milestone:
        findings.append(
            Finding(
                "nog_te_doen",
                f"De eindevaluatie moet nog (uiterlijk {_d(milestone)}).",
            )
        )
    elif not eind:
        findings.append(Finding("ontbreekt", "Er is geen eindevaluatie."))
    elif milestone and eind[-1].signed_at:
        signed_on = localtime(eind[-1].signed_at).date()
        if signed_on > milestone:
            findings.append(
                Finding(
                    "te_laat",
                    f"Eindevaluatie ondertekend {(signed_on - milestone).days} "
                    f"dagen na week 91.",
                )
            )

    # Anything started but not signed.
    for document in documents:
        if document.status != DocumentStatus.ONDERTEKEND:
            status = (
                "ligt ter ondertekening"
                if document.status == DocumentStatus.TER_ONDERTEKENING
                else "is nog een concept"
            )
            findings.append(
                Finding(
                    "niet_ondertekend",
                    f"{TOC_LABELS[DocumentKind(document.kind)]} versie "
                    f"{document.version} {status}.",
                )
            )

    if not has_contact:
        findings.append(Finding("let_op", "Er zijn geen contactmomenten vastgelegd."))
    return findings


def _header(case: AbsenceCase, title: str, language: str) -> contexts.Header:
    employee = case.employee
    page_word, of_word = PAGE_WORDS.get(language, PAGE_WORDS["nl"])
    return contexts.Header(
        title=title,
        employee_name=employee_form_name(employee=employee),
        case_reference=case_reference(case=case),
        employer_name=employee.employer.name,
        version=0,
        status="Samengesteld voor het re-integratieverslag",
        is_concept=False,
        page_word=page_word,
        of_word=of_word,
    )


def _activities(case: AbsenceCase) -> tuple[contexts.Activiteit, ...]:
    from poortwachter.models import Task, TaskStatus
    from poortwachter.services import case_chain

    chain_ids = [c.pk for c in case_chain(case=case)]
    rows: list[tuple[dt.date, contexts.Activiteit]] = []
    for note in ContactNote.objects.filter(case_id__in=chain_ids).select_related(
        "author"
    ):
        rows.append(
            (
                note.contact_date,
                contexts.Activiteit(
                    _d(note.contact_date),
                    f"Contact ({note.get_channel_display().lower()})",
                    note.with_whom or (str(note.author) if note.author else ""),
                    note.summary,
                ),
            )
        )
    for item in Intervention.objects.filter(case_id__in=chain_ids):
        period = " t/m ".join(
            _d(day) if day else "…" for day in (item.start_date, item.end_date)
        )
        rows.append(
            (
                item.requested_on,
                contexts.Activiteit(
                    _d(item.requested_on),
                    f"Interventie: {item.get_kind_display()}",
                    item.provider,
                    f"{item.get_status_display()}, {period}"
                    + (f". {item.notes}" if item.notes else ""),
                ),
            )
        )
    for task in Task.objects.filter(
        case_id__in=chain_ids, status=TaskStatus.DONE, completed_at__isnull=False
    ).select_related("completed_by"):
        day = localtime(task.completed_at).date()
        rows.append(
            (
                day,
                contexts.Activiteit(
                    _d(day),
                    "Taak afgerond",
                    str(task.completed_by) if task.completed_by else "",
                    task.display_title,
                ),
            )
        )
    for document in _signed_documents(case):
        day = localtime(document.signed_at).date()
        rows.append(
            (
                day,
                contexts.Activiteit(
                    _d(day),
                    "Document ondertekend",
                    ", ".join(s.name for s in document.signatures.all()),
                    f"{TOC_LABELS[DocumentKind(document.kind)]}, versie "
                    f"{document.version}",
                ),
            )
        )
    rows.sort(key=lambda row: row[0])
    return tuple(row for _day, row in rows)


def reintegratieverslag_parts(
    *, case: AbsenceCase, fetcher: StaticOnlyFetcher | None = None
) -> list[Part]:
    """The parts in UWV order: stored PDFs of signed documents as they were
    signed, plus the freshly rendered overview and opinion page."""
    language = "nl"
    signed = _signed_documents(case)
    parts: list[Part] = []
    for group in PART_ORDER:
        for key in group:
            if key == "activiteitenoverzicht":
                title = TOC_LABELS[key]
                with translation.override(language):
                    rows = _activities(case)
                pdf = render_pdf(
                    template_name="documents/activiteitenoverzicht.html",
                    context=contexts.Activiteitenoverzicht(
                        _header(case, title, language), rows
                    ),
                    fetcher=fetcher,
                )
                parts.append(Part(key, title, "", pdf))
            elif key == "oordeel_werknemer":
                title = TOC_LABELS[key]
                pdf = render_pdf(
                    template_name="documents/oordeel_werknemer.html",
                    context=contexts.OordeelWerknemer(
                        _header(case, title, language),
                        employee_form_name(employee=case.employee),
                    ),
                    fetcher=fetcher,
                )
                parts.append(Part(key, title, "", pdf))
        documents = [d for d in signed if d.kind in group]
        for document in documents:
            with document.pdf.open("rb") as stored:
                pdf = stored.read()
            signed_on = (
                localtime(document.signed_at).date() if document.signed_at else None
            )
            parts.append(
                Part(
                    document.kind,
                    document_type(document.kind).title,
                    f"versie {document.version}, ondertekend {_d(signed_on)}",
                    pdf,
                )
            )
    return parts


def reintegratieverslag_assemble(
    *, case: AbsenceCase, today: dt.date, fetcher: StaticOnlyFetcher | None = None
) -> Reintegratieverslag:
    """One PDF: cover, contents with the real page numbers, then every part."""
    parts = reintegratieverslag_parts(case=case, fetcher=fetcher)
    counts = [part.pages for part in parts]
    employee = case.employee
    front_pages = 2
    for _attempt in range(3):
        toc = []
        page = front_pages + 1
        for part, count in zip(parts, counts, strict=True):
            toc.append(contexts.TocEntry(part.title, part.detail, page))
            page += count
        front = render_pdf(
            template_name="documents/reintegratieverslag_voorwerk.html",
            context=contexts.Voorwerk(
                header=_header(case, "Re-integratieverslag", "nl"),
                werknemer_naam=employee_form_name(employee=employee),
                werknemer_bsn=employee.bsn_masked,
                werkgever_naam=employee.employer.name,
                eerste_ziektedag=_d(_chain_first_sick_day(case)),
                samengesteld_op=date_format(today, "j F Y"),
                toc=tuple(toc),
            ),
            fetcher=fetcher,
        )
        actual = len(PdfReader(io.BytesIO(front)).pages)
        if actual == front_pages:
            break
        # A long contents list took another page: number again.
        front_pages = actual
    writer = PdfWriter()
    writer.append(io.BytesIO(front))
    writer.add_outline_item(title="Inhoud", page_number=0)
    for part, entry in zip(parts, toc, strict=True):
        writer.append(io.BytesIO(part.pdf))
        writer.add_outline_item(
            title=f"{entry.title} {entry.detail}".strip(), page_number=entry.page - 1
        )
    writer.add_metadata({"/Title": f"Re-integratieverslag {employee.display_name}"})
    out = io.BytesIO()
    writer.write(out)
    return Reintegratieverslag(
        pdf=out.getvalue(),
        toc=tuple(toc),
        findings=tuple(reintegratieverslag_findings(case=case, today=today)),
    )


def reintegratieverslag_storage_name(*, case: AbsenceCase, today: dt.date) -> str:
    """Where the RIV built from the case as it stands today is stored.

    The name carries a hash of everything the RIV shows (signed parts by
    their sha256, contacts, tasks done, names, the date on the cover), so an
    unchanged case is served from storage and any change makes a new file.
    """
    import hashlib
    import json

    from poortwachter.models import Task, TaskStatus
    from poortwachter.services import case_chain

    chain_ids = [c.pk for c in case_chain(case=case)]
    employee = case.employee
    payload = {
        "parts": list(
            Document.objects.filter(case=case, status=DocumentStatus.ONDERTEKEND)
            .order_by("pk")
            .values_list("pk", "sha256")
        ),
        "notes": list(
            ContactNote.objects.filter(case_id__in=chain_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        # an intervention's status and dates change in place: hash them
        "interventions": [
            [pk, str(status), str(start), str(end)]
            for pk, status, start, end in Intervention.objects.filter(
                case_id__in=chain_ids
            )
            .order_by("pk")
            .values_list("pk", "status", "start_date", "end_date")
        ],
        "tasks": [
            [pk, done.isoformat()]
            for pk, done in Task.objects.filter(
                case_id__in=chain_ids, status=TaskStatus.DONE
            )
            .order_by("pk")
            .values_list("pk", "completed_at")
            if done
        ],
        "who": [
            employee_form_name(employee=employee),
            employee.bsn_masked,
            employee.employer.name,
        ],
        "today": today.isoformat(),
        "templates": "riv-2026.1",
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return f"documents/{case.tenant_id}/{case.pk}/reintegratieverslag-{key[:24]}.pdf"
