"""Writes of the employee import: upload, map columns, dry run, confirm, run.

The dry run and the real run both go through ``planning.plan_make``; the real
run makes the plan again inside one transaction, with the employer locked,
and writes it only when it is the plan the administrator confirmed (same
digest). A file with any row error writes nothing. Nothing is ever deleted:
employees missing from a file are reported, not removed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_event_record
from cases.models import Employer
from cases.services import employees_bulk_apply
from core.enqueue import enqueue_on_commit
from core.exceptions import ApplicationError
from integrations.imports.columns import TARGETS_BY_KEY, columns_guess
from integrations.imports.models import (
    FileEncoding,
    ImportFile,
    ImportMapping,
    ImportRun,
    ImportSource,
    ImportStatus,
)
from integrations.imports.parsing import SourceRow, source_rows, table_read
from integrations.imports.planning import Plan, columns_check, plan_make

logger = logging.getLogger(__name__)

PROGRESS_TTL_SECONDS = 24 * 60 * 60


def progress_key(run_id: int) -> str:
    return f"imports:progress:{run_id}"


def _progress_set(run: ImportRun, phase: str, done: int, total: int) -> None:
    # The real run writes in one transaction, so its progress cannot live in
    # a row others read: it goes to the cache (losing it loses only the bar).
    try:
        cache.set(
            progress_key(run.pk),
            {"phase": phase, "done": done, "total": total},
            PROGRESS_TTL_SECONDS,
        )
    except Exception:  # the bar is not worth failing an import for
        logger.warning("could not store progress of import run %s", run.pk)


def import_run_upload(
    *,
    actor: User,
    employer: Employer,
    file_name: str,
    content: bytes,
    encoding: str = FileEncoding.UTF8,
) -> ImportRun:
    """Keep an uploaded export for ``employer`` and propose a column mapping
    (the employer's saved one, then matching headers). The file is read once
    here, so a file that cannot be read is refused before anything is
    stored."""
    if encoding not in FileEncoding.values:
        raise ApplicationError(_("Kies een tekenset uit de lijst."), field="encoding")
    table = table_read(content=content, file_name=file_name, encoding=encoding)
    saved = ImportMapping.objects.filter(employer=employer).first()
    with transaction.atomic():
        run = ImportRun.objects.create(
            tenant_id=employer.tenant_id,
            employer=employer,
            source=ImportSource.FILE,
            file_name=file_name[-255:],
            sha256=hashlib.sha256(content).hexdigest(),
            encoding=encoding,
            headers=table.headers,
            columns=columns_guess(
                headers=table.headers, saved=saved.columns if saved else None
            ),
            rows_total=len(table.rows),
            created_by=actor,
        )
        ImportFile.objects.create(
            tenant_id=run.tenant_id,
            run=run,
            content=base64.b64encode(content).decode("ascii"),
        )
        audit_event_record(
            actor=actor,
            action="import_run_upload",
            obj=run,
            data={
                "employer_id": employer.pk,
                "file_name": run.file_name,
                "sha256": run.sha256,
                "rows": run.rows_total,
            },
        )
    return run


def _columns_clean(run: ImportRun, columns: Mapping[str, str]) -> dict[str, str]:
    chosen = {key: header for key, header in columns.items() if header}
    unknown = set(chosen) - set(TARGETS_BY_KEY)
    if unknown:
        raise ValueError(f"unknown import fields: {sorted(unknown)}")
    for key, header in chosen.items():
        if header not in run.headers:
            raise ApplicationError(
                _("Het bestand heeft geen kolom “%(header)s”.") % {"header": header},
                field=key,
            )
    used: dict[str, str] = {}
    for key, header in chosen.items():
        if header in used:
            raise ApplicationError(
                _("De kolom “%(header)s” is aan twee velden gekoppeld: %(a)s en %(b)s.")
                % {
                    "header": header,
                    "a": TARGETS_BY_KEY[used[header]].label,
                    "b": TARGETS_BY_KEY[key].label,
                },
                field=key,
            )
        used[header] = key
    columns_check(chosen)
    return chosen


def import_run_map(
    *, actor: User, run: ImportRun, columns: Mapping[str, str]
) -> ImportRun:
    """Set which column holds which field and start the dry run (in the
    ``integrations`` worker). Every required field needs a column."""
    from integrations.imports.tasks import import_run_plan_task

    chosen = _columns_clean(run, columns)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if (
            locked.status
            not in {
                ImportStatus.UPLOADED,
                ImportStatus.DRY_RUN,
                ImportStatus.FAILED,
            }
            or not ImportFile.objects.filter(run=locked).exists()
        ):
            raise ApplicationError(
                _("Deze import loopt al of is klaar; begin een nieuwe import.")
            )
        locked.columns = chosen
        locked.status = ImportStatus.PLANNING
        locked.report = {}
        locked.plan_digest = ""
        locked.failure = ""
        locked.save(
            update_fields=["columns", "status", "report", "plan_digest", "failure"]
        )
        audit_event_record(
            actor=actor,
            action="import_run_map",
            obj=locked,
            data={"columns": sorted(chosen)},
        )
        enqueue_on_commit(import_run_plan_task, locked.pk, locked.tenant_id)
    return locked


def _rows(run: ImportRun) -> list[SourceRow]:
    content = base64.b64decode(ImportFile.objects.get(run=run).content)
    table = table_read(content=content, file_name=run.file_name, encoding=run.encoding)
    return source_rows(table=table, columns=run.columns)


def _plan_store(run: ImportRun, plan: Plan) -> None:
    run.rows_total = plan.rows_total
    run.created_count = plan.created_count
    run.updated_count = plan.updated_count
    run.unchanged_count = plan.unchanged
    run.error_count = plan.error_count
    run.missing_count = len(plan.missing)
    run.plan_digest = plan.digest()
    run.report = plan.report()


def _run_fail(run: ImportRun, message: str) -> None:
    run.status = ImportStatus.FAILED
    run.failure = message
    run.finished_at = timezone.now()
    run.save()


def import_run_dry_run(*, run: ImportRun) -> ImportRun:
    """Make the plan of a mapped run and store it for the administrator to
    read; writes no employee. A no-op unless the run is waiting for it."""
    if run.status != ImportStatus.PLANNING:
        return run
    try:
        rows = _rows(run)
        plan = plan_make(
            employer=run.employer,
            rows=rows,
            columns=run.columns,
            progress=lambda done, total: _progress_set(run, "plan", done, total),
        )
    except ApplicationError as error:
        _run_fail(run, error.message)
        return run
    _plan_store(run, plan)
    run.status = ImportStatus.DRY_RUN
    run.save()
    return run


def import_run_confirm(*, actor: User, run: ImportRun) -> ImportRun:
    """Carry out the plan of a dry run without errors (in the worker), and
    remember the column mapping for the employer's next file."""
    from integrations.imports.tasks import import_run_execute_task

    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != ImportStatus.DRY_RUN:
            raise ApplicationError(
                _("Alleen een afgeronde proefrun kan worden uitgevoerd.")
            )
        if not ImportFile.objects.filter(run=locked).exists():
            raise ApplicationError(
                _("Het bestand is niet meer beschikbaar; upload het opnieuw.")
            )
        if locked.error_count:
            raise ApplicationError(
                _(
                    "Het bestand heeft fouten; herstel ze en importeer het opnieuw. "
                    "Er is niets opgeslagen."
                )
            )
        ImportMapping.objects.update_or_create(
            employer=locked.employer,
            defaults={
                "tenant_id": locked.tenant_id,
                "columns": locked.columns,
                "encoding": locked.encoding,
                "updated_by": actor,
            },
        )
        locked.status = ImportStatus.QUEUED
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit_event_record(
            actor=actor,
            action="import_run_confirm",
            obj=locked,
            data={
                "created": locked.created_count,
                "updated": locked.updated_count,
                "missing": locked.missing_count,
            },
        )
        enqueue_on_commit(import_run_execute_task, locked.pk, locked.tenant_id)
    return locked


class _Refused(Exception):
    def __init__(self, message: str, plan: Plan | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.plan = plan


def _plan_apply(
    *, run: ImportRun, rows: Sequence[SourceRow], expected_digest: str | None
) -> None:
    """Plan and write ``rows`` in one transaction, or write nothing."""
    with transaction.atomic():
        employer = Employer.objects.select_for_update().get(pk=run.employer_id)
        plan = plan_make(
            employer=employer,
            rows=rows,
            columns=run.columns,
            progress=lambda done, total: _progress_set(run, "plan", done, total),
        )
        if plan.error_count:
            raise _Refused(
                _("%(count)d rij(en) met fouten; er is niets opgeslagen.")
                % {"count": plan.error_count},
                plan,
            )
        if expected_digest is not None and plan.digest() != expected_digest:
            raise _Refused(
                _(
                    "De werknemers van deze werkgever zijn sinds de proefrun "
                    "gewijzigd, dus het plan klopt niet meer. Er is niets "
                    "opgeslagen; doe de proefrun opnieuw."
                )
            )
        _progress_set(run, "write", 0, len(plan.changes))
        employees_bulk_apply(
            actor=run.confirmed_by,
            employer=employer,
            changes=[change for _row, change in plan.changes],
            source=run,
            data={
                "import_run_id": run.pk,
                "source": run.source,
                "unchanged": plan.unchanged,
                "missing": len(plan.missing),
            },
        )
        _plan_store(run, plan)
        run.status = ImportStatus.DONE
        run.finished_at = timezone.now()
        run.save()
        ImportFile.objects.filter(run=run).delete()


def _execute(
    *, run: ImportRun, rows: Sequence[SourceRow], expected_digest: str | None
) -> ImportRun:
    try:
        _plan_apply(run=run, rows=rows, expected_digest=expected_digest)
    except _Refused as refused:
        run.refresh_from_db()
        if refused.plan is not None:
            _plan_store(run, refused.plan)
        _run_fail(run, refused.message)
    except IntegrityError:
        logger.warning("import run %s collided with another write", run.pk)
        run.refresh_from_db()
        _run_fail(
            run,
            _(
                "Tegelijk met deze import zijn dezelfde werknemers gewijzigd. Er "
                "is niets opgeslagen; doe de proefrun opnieuw."
            ),
        )
    except Exception:
        logger.exception("import run %s failed", run.pk)
        run.refresh_from_db()
        _run_fail(
            run,
            _(
                "De import is onverwacht mislukt; er is niets opgeslagen. Probeer het "
                "opnieuw of neem contact op met de beheerder van Hervat."
            ),
        )
        raise
    return run


def import_run_execute(*, run: ImportRun) -> ImportRun:
    """Carry out a confirmed run: the plan again, compared with the
    confirmed one, written as a whole or not at all. Safe to repeat: a run
    that is done or failed is left alone; a run interrupted while running
    wrote nothing and runs again."""
    if run.status not in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
        return run
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING)
    run.status = ImportStatus.RUNNING
    try:
        rows = _rows(run)
    except (ApplicationError, ImportFile.DoesNotExist) as error:
        _run_fail(
            run,
            error.message
            if isinstance(error, ApplicationError)
            else _("Het bestand is niet meer beschikbaar; upload het opnieuw."),
        )
        return run
    return _execute(run=run, rows=rows, expected_digest=run.plan_digest)


def import_rows_run(
    *,
    actor: User | None,
    employer: Employer,
    rows: Sequence[SourceRow],
    columns: Mapping[str, str],
    source: str,
    label: str,
) -> ImportRun:
    """Import rows from a connector (no dry run to confirm): planned and
    written like a confirmed file, recorded as an ``ImportRun``. Any row
    error writes nothing and fails the run with the errors in its report."""
    run = ImportRun.objects.create(
        tenant_id=employer.tenant_id,
        employer=employer,
        source=source,
        file_name=label[:255],
        columns=dict(columns),
        rows_total=len(rows),
        status=ImportStatus.RUNNING,
        created_by=actor,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
    try:
        columns_check(columns)
    except ApplicationError as error:
        _run_fail(run, error.message)
        return run
    return _execute(run=run, rows=rows, expected_digest=None)


def import_files_purge(*, older_than_days: int = 7) -> int:
    """Delete uploaded files of runs that were never carried out (the files
    hold BSNs); their runs stay, with the sha256."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _per_model = ImportFile.objects.filter(run__created_at__lt=cutoff).delete()
    return deleted


def import_run_failed_record(
    *, employer: Employer, source: str, label: str, message: str
) -> ImportRun:
    """Record a connector run that could not even fetch its rows, so the
    administrator sees why nothing changed."""
    return ImportRun.objects.create(
        tenant_id=employer.tenant_id,
        employer=employer,
        source=source,
        file_name=label[:255],
        status=ImportStatus.FAILED,
        failure=message,
        finished_at=timezone.now(),
    )
