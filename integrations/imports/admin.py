"""Werknemers importeren, in the tenant admin (/beheer/).

Upload a file for an employer, map its columns, read the dry-run plan,
confirm; the worker carries it out while a progress page polls. Every write
goes through ``integrations.imports.services``; every page shows the BSN
masked (the report never holds it in clear).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.admin import TenantModelAdmin, tenant_admin_site
from cases.models import Employer
from core.exceptions import ApplicationError
from integrations.imports.columns import TARGETS, TARGETS_BY_KEY
from integrations.imports.forms import MappingForm, UploadForm
from integrations.imports.models import ImportRun, ImportStatus
from integrations.imports.selectors import import_run_progress, import_runs_list
from integrations.imports.services import (
    import_run_confirm,
    import_run_map,
    import_run_upload,
)

PAGE_SIZE = 50
# The sections of a report, each paginated on its own (?<section>=<page>).
REPORT_SECTIONS = ("errors", "warnings", "creates", "updates", "missing")


def _field_label(key: str) -> str:
    target = TARGETS_BY_KEY.get("manager_email" if key == "manager" else key)
    return str(target.label) if target else key


@admin.register(ImportRun, site=tenant_admin_site)
class ImportRunAdmin(TenantModelAdmin):
    list_display = [
        "created_at",
        "employer",
        "file_name",
        "source",
        "status",
        "created_count",
        "updated_count",
        "error_count",
        "missing_count",
    ]
    list_display_links = ["created_at", "file_name"]
    list_filter = ["status", "source"]
    change_list_template = "admin/imports/importrun/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRun]:
        return import_runs_list()

    # Runs are made by uploading a file and never edited or deleted here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("upload/", wrap(self.upload_view), name=f"{name}_upload"),
            path(
                "<path:object_id>/mapping/",
                wrap(self.mapping_view),
                name=f"{name}_mapping",
            ),
            path(
                "<path:object_id>/confirm/",
                wrap(require_POST(self.confirm_view)),
                name=f"{name}_confirm",
            ),
            path(
                "<path:object_id>/progress/",
                wrap(self.progress_view),
                name=f"{name}_progress",
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, run: ImportRun | None = None) -> str:
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        return reverse(f"{name}_{view}", args=[run.pk] if run is not None else [])

    def _run(self, request: HttpRequest, object_id: str) -> ImportRun:
        if not self.has_view_permission(request):
            raise Http404
        run = (
            ImportRun.objects.select_related("employer", "created_by", "confirmed_by")
            .filter(pk=object_id if str(object_id).isdigit() else None)
            .first()
        )
        if run is None:
            raise Http404
        return run

    def _render(
        self, request: HttpRequest, template: str, context: dict[str, Any]
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/imports/importrun/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "app_label": self.opts.app_label,
                "changelist_url": self._url("changelist"),
                "upload_url": self._url("upload"),
                **context,
            },
        )

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Step 1: employer, file, character set."""
        if not self.has_view_permission(request):
            raise Http404
        initial: dict[str, Any] = {}
        wanted = request.POST.get("employer") or request.GET.get("employer")
        if wanted:
            # Another tenant's employer looks exactly like a missing one.
            employer = Employer.objects.filter(
                pk=wanted if str(wanted).isdigit() else None
            ).first()
            if employer is None:
                raise Http404
            initial["employer"] = employer
        form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_run_upload(
                    actor=request.user,
                    employer=form.cleaned_data["employer"],
                    file_name=upload.name,
                    content=upload.read(),
                    encoding=form.cleaned_data["encoding"],
                )
            except ApplicationError as error:
                error.add_to_form(form)
            else:
                return redirect(self._url("mapping", run))
        return self._render(
            request,
            "upload.html",
            {"form": form, "title": gettext("Werknemers importeren")},
        )

    def mapping_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Step 2: which column holds which field; submitting starts the
        dry run."""
        run = self._run(request, object_id)
        form = MappingForm(request.POST or None, run=run)
        if request.method == "POST" and form.is_valid():
            try:
                import_run_map(actor=request.user, run=run, columns=form.columns())
            except ApplicationError as error:
                error.add_to_form(form)
            else:
                return redirect(self._url("change", run))
        rows = [(target, form[target.key]) for target in TARGETS]
        return self._render(
            request,
            "mapping.html",
            {
                "form": form,
                "run": run,
                "rows": rows,
                "title": gettext("Kolommen koppelen"),
            },
        )

    def confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Step 4: carry out the plan (in the worker)."""
        run = self._run(request, object_id)
        try:
            import_run_confirm(actor=request.user, run=run)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("De import is gestart; deze pagina volgt de voortgang."),
                messages.SUCCESS,
            )
        return redirect(self._url("change", run))

    def progress_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        run = self._run(request, object_id)
        return JsonResponse(import_run_progress(run=run))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Step 3 and the result: progress while busy, else the plan."""
        run = self._run(request, object_id)
        report = run.report or {}
        pages: dict[str, Page] = {}
        for section in REPORT_SECTIONS:
            items = report.get(section, [])
            if section == "updates":
                items = [
                    {
                        **item,
                        "fields": [
                            (_field_label(key), before, after)
                            for key, (before, after) in item["changes"].items()
                        ],
                    }
                    for item in items
                ]
            pages[section] = Paginator(items, PAGE_SIZE).get_page(
                request.GET.get(section)
            )
        return self._render(
            request,
            "detail.html",
            {
                "run": run,
                "pages": pages,
                "errors_truncated": report.get("errors_truncated", False),
                "progress": import_run_progress(run=run),
                "progress_url": self._url("progress", run),
                "mapping_url": self._url("mapping", run),
                "confirm_url": self._url("confirm", run),
                "can_confirm": run.status == ImportStatus.DRY_RUN
                and not run.error_count,
                "can_remap": run.status
                in {ImportStatus.UPLOADED, ImportStatus.DRY_RUN, ImportStatus.FAILED}
                and run.source == "file",
                "title": str(run.file_name or run.get_source_display()),
                "columns": [
                    (target.label, run.columns[target.key])
                    for target in TARGETS
                    if target.key in run.columns
                ],
            },
        )
