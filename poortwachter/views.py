"""Pages of the poortwachter app inside a tenant: deadlines and the task queue.

The queue's actions (complete, snooze, reassign) answer HTMX requests with the
changed row and the bucket counts (out of band), and plain requests with a
redirect back to the queue, so they also work without JavaScript.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from accounts.models import Role
from cases.selectors import case_get, employer_list
from core.exceptions import ApplicationError
from poortwachter.forms import (
    AppointmentForm,
    ConsultForm,
    FmlForm,
    ProbleemanalyseForm,
    TaskCompleteForm,
    TaskReassignForm,
    TaskSnoozeForm,
)
from poortwachter.models import AppointmentKind, Task
from poortwachter.selectors import (
    BUCKETS,
    QueueFilters,
    appointment_get,
    appointment_kinds_for,
    assignable_users,
    chain_deadlines,
    chain_tasks,
    consult_medical_get,
    employer_overview,
    fml_latest,
    physician_cases,
    probleemanalyse_medical_get,
    protocol_steps,
    task_get,
    task_queue,
    tasks_by_id,
)
from poortwachter.services import (
    appointment_cancel,
    appointment_plan,
    appointment_reschedule,
    case_chain,
    consult_record,
    fml_record,
    probleemanalyse_record,
    task_complete,
    task_reassign,
    task_snooze,
)

QUEUE_PAGE_SIZE = 25
ASSIGNABLE_ROLES = (Role.REGIEHOUDER, Role.CASEMANAGER, Role.BEDRIJFSARTS, Role.HR)


def case_timeline(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The legal deadlines and tasks of a case (its chain of sick periods),
    with the 104 weeks drawn as a bar."""
    case = case_get(actor=request.user, case_id=pk)
    root = case_chain(case=case)[0]
    timeline = getattr(root, "timeline", None)
    deadlines = list(chain_deadlines(root=root))
    tasks = list(chain_tasks(root=root).select_related("protocol_step"))
    today = timezone.localdate()
    return render(
        request,
        "poortwachter/case_timeline.html",
        {
            "case": case,
            "root": root,
            "timeline": timeline,
            "deadlines": deadlines,
            "tasks": tasks,
            "today": today,
            "bar": _timeline_bar(timeline, deadlines, tasks, today),
            "done_keys": {
                t.key for t in tasks if t.source == "legal" and t.status == "done"
            },
        },
    )


BAR_WEEKS = 104
BAR_SCALE = 10  # SVG units per week


def _timeline_bar(
    timeline: object, deadlines: list, tasks: list, today: object
) -> dict[str, object] | None:
    """Markers for the 104-week bar: position in weeks from the counted first
    sick day, and done / overdue / due / lapsed from the legal task."""
    start = getattr(timeline, "counted_first_sick_day", None)
    if start is None:
        return None
    done = {t.key for t in tasks if t.source == "legal" and t.status == "done"}

    def week(day: object) -> float:
        return max(0.0, min(BAR_WEEKS, (day - start).days / 7))  # type: ignore[operator]

    markers = []
    for deadline in deadlines:
        if not deadline.applies:
            state = "lapsed"
        elif deadline.milestone in done:
            state = "done"
        elif deadline.due_date < today:
            state = "overdue"
        else:
            state = "due"
        markers.append(
            {
                "x": round(week(deadline.due_date) * BAR_SCALE, 1),
                "state": state,
                "label": deadline.label,
                "due": deadline.due_date,
            }
        )
    return {
        "width": BAR_WEEKS * BAR_SCALE,
        "today_x": round(week(today) * BAR_SCALE, 1),
        "ticks": [
            {"x": w * BAR_SCALE, "label": w} for w in range(0, BAR_WEEKS + 1, 13)
        ],
        "markers": markers,
    }


def _filters(query: QueryDict | dict[str, list[str]]) -> QueueFilters:
    def first(name: str) -> str:
        value = query.get(name, "")
        return (value[0] if isinstance(value, list) else value).strip()

    employer = first("werkgever")
    return QueueFilters(
        bucket=first("bak") or "overdue",
        employer_id=int(employer) if employer.isdigit() else None,
        key=first("soort")[:60],
        assignee=first("uitvoerder") or "me",
        search=first("zoek")[:100],
    )


def _filter_query(filters: QueueFilters) -> str:
    """The filters as a query string, without the bucket (for the tabs)."""
    from urllib.parse import urlencode

    return urlencode(
        {
            "werkgever": filters.employer_id or "",
            "soort": filters.key,
            "uitvoerder": filters.assignee,
            "zoek": filters.search,
        }
    )


def _buckets(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    labels = (_("Verlopen"), _("Vandaag"), _("Deze week"), _("Later"))
    return [
        (name, label, counts[name]) for name, label in zip(BUCKETS, labels, strict=True)
    ]


def task_queue_page(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The daily task queue: overdue, today, this week, later."""
    filters = _filters(request.GET)
    counts, tasks = task_queue(
        actor=request.user, today=timezone.localdate(), filters=filters
    )
    page = Paginator(tasks, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "poortwachter/queue.html",
        {
            "filters": filters,
            "page": page,
            "buckets": _buckets(counts),
            "employers": employer_list(actor=request.user),
            "task_types": _task_types(),
            "members": assignable_users(tenant_roles=ASSIGNABLE_ROLES),
            "filter_query": _filter_query(filters),
            "today": timezone.localdate(),
        },
    )


def _task_types() -> list[tuple[str, str]]:
    from poortwachter.labels import MILESTONE_LABELS

    types = [(code, str(label)) for code, label in MILESTONE_LABELS.items()]
    types += [(step.code, step.title) for step in protocol_steps()]
    return types


def _current_filters(request: HttpRequest) -> QueueFilters:
    """The queue's filters, from the page the HTMX request came from."""
    url = request.htmx.current_url if request.htmx else None
    return _filters(parse_qs(urlsplit(url).query) if url else request.POST)


_DONE_MESSAGES = {
    "complete": gettext_lazy("Taak afgerond."),
    "snooze": gettext_lazy("Taak uitgesteld."),
    "reassign": gettext_lazy("Taak toegewezen."),
}


def _row_response(
    request: HttpRequest, task: Task | None, action: str = ""
) -> HttpResponse:
    """After an action: the updated row (or nothing) and fresh counts."""
    if not request.htmx:
        return redirect(_next_url(request))
    filters = _current_filters(request)
    counts, tasks = task_queue(
        actor=request.user, today=timezone.localdate(), filters=filters
    )
    still_listed = task is not None and tasks.filter(pk=task.pk).exists()
    if still_listed:
        task = tasks.get(pk=task.pk)
    return render(
        request,
        "poortwachter/_queue_row_result.html",
        {
            "task": task if still_listed else None,
            "buckets": _buckets(counts),
            "filters": filters,
            "filter_query": _filter_query(filters),
            "today": timezone.localdate(),
            "status_message": _DONE_MESSAGES.get(action, ""),
        },
    )


def _next_url(request: HttpRequest) -> str:
    """Where a plain (non-HTMX) task action returns: a same-site ``next``
    (the case page it came from), else the queue."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("poortwachter:queue", args=[request.tenant.slug])


def _task_for(request: HttpRequest, pk: int, action: Action) -> Task:
    task = task_get(actor=request.user, task_id=pk)
    if not can(request.user, action, task):
        raise Http404
    return task


def _action(
    request: HttpRequest,
    task: Task,
    form: forms.Form,
    name: str,
    perform: object,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            perform()  # type: ignore[operator]
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            task.refresh_from_db()
            if not request.htmx:
                messages.success(request, _("De taak is bijgewerkt."))
            return _row_response(request, task, name)
    # Keyboard users land in the form that just opened (htmx focuses it).
    next(iter(form.fields.values())).widget.attrs["autofocus"] = True
    template = (
        "poortwachter/_task_action_row.html"
        if request.htmx
        else "poortwachter/task_action.html"
    )
    return render(
        request,
        template,
        {
            "task": task,
            "form": form,
            "action": name,
            "today": timezone.localdate(),
            "next": "" if request.htmx else _next_url(request),
        },
    )


def task_complete_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    task = _task_for(request, pk, Action.WORK_TASK)
    form = TaskCompleteForm(request.POST or None)
    return _action(
        request,
        task,
        form,
        "complete",
        lambda: task_complete(
            actor=request.user, task=task, note=form.cleaned_data["note"]
        ),
    )


def task_snooze_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    task = _task_for(request, pk, Action.WORK_TASK)
    form = TaskSnoozeForm(request.POST or None)
    return _action(
        request,
        task,
        form,
        "snooze",
        lambda: task_snooze(
            actor=request.user,
            task=task,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        ),
    )


def task_reassign_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    task = _task_for(request, pk, Action.ASSIGN_TASK)
    members = assignable_users(tenant_roles=ASSIGNABLE_ROLES)
    choices = [
        (m.user_id, f"{m.user.get_full_name()} ({m.get_role_display()})")
        for m in members
    ]
    form = TaskReassignForm(request.POST or None, choices=choices)
    return _action(
        request,
        task,
        form,
        "reassign",
        lambda: task_reassign(
            actor=request.user,
            task=task,
            assignee=members.get(user_id=form.cleaned_data["assignee"]).user,
        ),
    )


def probleemanalyse_add(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """The bedrijfsarts records a probleemanalyse, bijstelling or actueel oordeel."""
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.VIEW_MEDICAL, case):
        raise Http404
    form = ProbleemanalyseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            probleemanalyse_record(actor=request.user, case=case, **form.cleaned_data)
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Het oordeel is vastgelegd."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request, "poortwachter/probleemanalyse_form.html", {"case": case, "form": form}
    )


@transaction.atomic
def probleemanalyse_medical(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """The medical part of one judgement; every view of it is logged."""
    record, medical = probleemanalyse_medical_get(
        actor=request.user,
        probleemanalyse_id=pk,
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    response = render(
        request,
        "poortwachter/probleemanalyse_medical.html",
        {"record": record, "medical": medical, "case": record.case},
    )
    response["Cache-Control"] = "no-store"
    return response


def fml_add(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The bedrijfsarts records an FML; it starts from the previous one."""
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.VIEW_MEDICAL, case):
        raise Http404
    previous = fml_latest(chain=case_chain(case=case))
    form = FmlForm(
        request.POST or None, previous=previous.entries if previous else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            fml_record(
                actor=request.user,
                case=case,
                made_on=form.cleaned_data["made_on"],
                remarks=form.cleaned_data["remarks"],
                entries=form.entries(),
            )
        except ApplicationError as error:
            form.add_item_error(error.field or "", error.message)
        else:
            messages.success(request, _("De FML is vastgelegd."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request,
        "poortwachter/fml_form.html",
        {"case": case, "form": form, "previous": previous},
    )


def consult_add(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The bedrijfsarts records a consult with medical notes."""
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.VIEW_MEDICAL, case):
        raise Http404
    form = ConsultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consult_record(actor=request.user, case=case, **form.cleaned_data)
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Het consult is vastgelegd."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request, "poortwachter/consult_form.html", {"case": case, "form": form}
    )


@transaction.atomic
def consult_medical(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """A consult's medical notes; every view of them is logged."""
    consult, medical = consult_medical_get(
        actor=request.user,
        consult_id=pk,
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    response = render(
        request,
        "poortwachter/consult_medical.html",
        {"consult": consult, "medical": medical, "case": consult.case},
    )
    response["Cache-Control"] = "no-store"
    return response


def employer_overview_page(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """HR's overview: open cases with the next legal step, overdue legal steps,
    recent sickness reports, and cases nearing week 42 or 88."""
    from poortwachter.labels import MILESTONE_LABELS

    today = timezone.localdate()
    overview = employer_overview(actor=request.user, today=today)
    open_cases = list(overview["open_cases"])
    for case in open_cases:
        case.next_label = MILESTONE_LABELS.get(case.next_milestone, "")
    return render(
        request,
        "poortwachter/overview.html",
        {
            "open_cases": open_cases,
            "recent": overview["recent"][:20],
            "nearing": [c for c in open_cases if c.nearing_42 or c.nearing_88],
            "overdue_total": sum(c.overdue_legal for c in open_cases),
            "today": today,
        },
    )


def physician_cases_page(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The bedrijfsarts' cases, soonest physician step first."""
    today = timezone.localdate()
    cases = list(physician_cases(actor=request.user))
    steps = tasks_by_id(ids=[c.next_step_id for c in cases if c.next_step_id])
    for case in cases:
        case.next_step = steps.get(case.next_step_id)
    return render(
        request, "poortwachter/physician_cases.html", {"cases": cases, "today": today}
    )


def appointment_form(
    request: HttpRequest, tenant_slug: str, pk: int, appointment_pk: int | None = None
) -> HttpResponse:
    """Plan an appointment on a case, or move one (the attendees' calendar
    event is updated, not duplicated)."""
    case = case_get(actor=request.user, case_id=pk)
    kinds = appointment_kinds_for(actor=request.user, case=case)
    appointment = None
    if appointment_pk is None:
        if not kinds:
            raise Http404
        form = AppointmentForm(
            request.POST or None,
            kinds=[(k, label) for k, label in AppointmentKind.choices if k in kinds],
        )
    else:
        appointment = appointment_get(actor=request.user, appointment_id=appointment_pk)
        if appointment.case_id != case.pk or appointment.kind not in kinds:
            raise Http404
        form = AppointmentForm(
            request.POST or None,
            initial={
                name: getattr(appointment, name)
                for name in ("date", "start_time", "end_time", "location", "video_url")
            },
        )
    if request.method == "POST" and form.is_valid():
        try:
            if appointment is None:
                appointment_plan(actor=request.user, case=case, **form.cleaned_data)
            else:
                appointment_reschedule(
                    actor=request.user, appointment=appointment, **form.cleaned_data
                )
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request,
                _("De afspraak staat erin; de uitnodigingen worden verstuurd."),
            )
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request,
        "poortwachter/appointment_form.html",
        {"case": case, "form": form, "appointment": appointment},
    )


@require_POST
def appointment_cancel_view(
    request: HttpRequest, tenant_slug: str, pk: int, appointment_pk: int
) -> HttpResponse:
    """Cancel an appointment; every attendee's calendar event is cancelled."""
    case = case_get(actor=request.user, case_id=pk)
    appointment = appointment_get(actor=request.user, appointment_id=appointment_pk)
    if appointment.case_id != case.pk or appointment.kind not in (
        appointment_kinds_for(actor=request.user, case=case)
    ):
        raise Http404
    try:
        appointment_cancel(actor=request.user, appointment=appointment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("De afspraak is geannuleerd; de deelnemers krijgen bericht.")
        )
    return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
