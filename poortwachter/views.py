"""Pages of the poortwachter app inside a tenant. Thin: selectors, then a template."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.selectors import case_get
from poortwachter.selectors import chain_deadlines, chain_tasks, task_list
from poortwachter.services import case_chain


def case_timeline(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The legal deadlines and tasks of a case (its chain of sick periods)."""
    case = case_get(actor=request.user, case_id=pk)
    root = case_chain(case=case)[0]
    return render(
        request,
        "poortwachter/case_timeline.html",
        {
            "case": case,
            "root": root,
            "timeline": getattr(root, "timeline", None),
            "deadlines": chain_deadlines(root=root),
            "tasks": chain_tasks(root=root).select_related("protocol_step"),
            "today": timezone.localdate(),
        },
    )


def my_tasks(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Open tasks assigned to the user, soonest first."""
    tasks = task_list(actor=request.user, assignee=request.user).select_related(
        "protocol_step"
    )
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "poortwachter/my_tasks.html",
        {"page": page, "today": timezone.localdate()},
    )
