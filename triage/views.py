"""Pages of the triage app inside a tenant: the queue of early signals."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import runs_cases
from triage.early_signals import cases_with_signals

SIGNALS_PAGE_SIZE = 25


def signals_queue_page(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The "Signalen" tab of the task queue, for those who run cases: open
    cases with an early signal, most severe and newest first."""
    if not runs_cases(request.user):
        raise Http404
    items = cases_with_signals(actor=request.user, today=timezone.localdate())
    page = Paginator(items, SIGNALS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "triage/signals_queue.html", {"page": page})
