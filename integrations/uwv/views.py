"""Portal pages of the UWV export (/t/<slug>/dossiers/<pk>/uwv/…): thin — the
access policy, one selector or service, a template. Forbidden looks like not
found (404). Pages show the BSN masked; only the downloaded files carry it
in full, and they are never cached."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.access import Action, can
from cases.models import AbsenceCase
from cases.selectors import case_get
from documents.models import document_storage
from documents.reintegratieverslag import reintegratieverslag_findings
from documents.selectors import case_reference
from integrations.uwv import selectors, services


def _case(request: HttpRequest, pk: int) -> AbsenceCase:
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.REINTEGRATIEVERSLAG, case):
        raise Http404
    return case


def _page(
    request: HttpRequest, case: AbsenceCase, *, status: int = 200
) -> HttpResponse:
    source = selectors.melding_42_source(case=case)
    return render(
        request,
        "uwv/export.html",
        {
            "case": case,
            "bsn_masked": case.employee.bsn_masked,
            "source": source,
            "source_status": selectors.source_status(source),
            "missing_42": selectors.melding_42_missing(case=case, source=source),
            "missing_riv": selectors.riv_package_missing(case=case),
            "parts": selectors.riv_package_parts(case=case),
            "findings": reintegratieverslag_findings(
                case=case, today=timezone.localdate()
            ),
        },
        status=status,
    )


@never_cache
def uwv_export(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """What HR takes to UWV's portal: the 42-week report and the
    re-integratieverslag as separate PDFs, with what is still missing."""
    return _page(request, _case(request, pk))


@never_cache
def melding_42_download(
    request: HttpRequest, tenant_slug: str, pk: int, file_format: str
) -> HttpResponse:
    case = _case(request, pk)
    if file_format not in services.FORMATS_42_WEEK:
        raise Http404
    try:
        export = services.melding_42_export(
            actor=request.user, case=case, file_format=file_format
        )
    except services.MissingDataError:
        # The page lists what is missing; no half file.
        return _page(request, case, status=409)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@never_cache
def riv_package_download(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """The stored package when the case has not changed since it was built;
    otherwise the documents queue builds it and a page checks back."""
    case = _case(request, pk)
    try:
        name = services.riv_package_download(
            actor=request.user, case=case, today=timezone.localdate()
        )
    except services.MissingDataError:
        return _page(request, case, status=409)
    if name is None:
        return render(request, "uwv/riv_pending.html", {"case": case}, status=202)
    return FileResponse(
        document_storage().open(name, "rb"),
        content_type="application/zip",
        as_attachment=True,
        filename=f"uwv-re-integratieverslag-{case_reference(case=case)}.zip",
    )
