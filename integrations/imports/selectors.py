"""Reads of the employee import: runs, their progress, saved mappings."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from integrations.imports.models import ImportRun, ImportStatus
from integrations.imports.services import progress_key


def import_runs_list() -> QuerySet[ImportRun]:
    """The scoped tenant's runs, newest first, without their reports."""
    return ImportRun.objects.select_related("employer", "created_by").defer(
        "report", "headers", "columns"
    )


def import_run_progress(*, run: ImportRun) -> dict[str, Any]:
    """Status and progress of a run for the progress page to poll."""
    data: dict[str, Any] = {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "busy": run.is_busy,
        "phase": "",
        "done": 0,
        "total": run.rows_total,
        "percent": None,
    }
    if run.status in {ImportStatus.PLANNING, ImportStatus.RUNNING}:
        try:
            stored = cache.get(progress_key(run.pk)) or {}
        except Exception:  # no bar rather than no page
            stored = {}
        data.update({k: stored[k] for k in ("phase", "done", "total") if k in stored})
        if data["phase"] == "plan" and data["total"]:
            data["percent"] = int(100 * data["done"] / data["total"])
    elif not run.is_busy:
        data["percent"] = 100
    return data
