"""Exports for UWV: each one checked against the access policy and written
to the audit trail (who exported what; never the BSN), the package stored
under its content name and built on the ``documents`` queue.

``actor=None`` is an operator on the command line (``uwv_export``): no
person to check, and the audit event says so.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase
from core.enqueue import enqueue_on_commit
from core.exceptions import ApplicationError
from documents.models import document_storage
from integrations.uwv import exports, selectors

FORMATS_42_WEEK = ("pdf", "json", "csv")


class MissingDataError(ApplicationError):
    """The export would lack what UWV needs; ``missing`` says what."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            _("Vul eerst aan wat UWV nodig heeft: %(missing)s")
            % {"missing": " ".join(missing)}
        )
        self.missing = missing


def _require(actor: User | None, case: AbsenceCase) -> None:
    if actor is not None and not can(actor, Action.REINTEGRATIEVERSLAG, case):
        raise ApplicationError(
            _("Alleen HR, regiehouder of casemanager exporteert voor UWV.")
        )


def _via(actor: User | None) -> str:
    return "portaal" if actor is not None else "commando"


def melding_42_export(
    *,
    actor: User | None,
    case: AbsenceCase,
    file_format: str,
    now: dt.datetime | None = None,
) -> exports.ExportFile:
    """The 42-week report as PDF, JSON or CSV, with an audit event.

    The PDF is always available (marked CONCEPT until signed); the data file
    only when nothing UWV needs is missing, so HR never uploads half a file.
    """
    if file_format not in FORMATS_42_WEEK:
        raise ApplicationError(_("Onbekend bestandsformaat."), field="file_format")
    _require(actor, case)
    now = now or timezone.now()
    source = selectors.melding_42_source(case=case)
    if file_format == "pdf":
        export = exports.melding_42_pdf(case=case, source=source)
    else:
        missing = selectors.melding_42_missing(case=case, source=source)
        if missing:
            raise MissingDataError(missing)
        data = selectors.melding_42_data(case=case, source=source, now=now)
        build = (
            exports.melding_42_json if file_format == "json" else exports.melding_42_csv
        )
        export = build(case=case, data=data)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="uwv_42_week_export",
            obj=case,
            data={
                "format": file_format,
                "document_id": source.pk,
                "document_version": source.version if source.pk else None,
                "document_status": selectors.source_status(source),
                "sha256": export.sha256,
                "via": _via(actor),
            },
        )
    return export


def riv_package_build(
    *, actor: User | None, case: AbsenceCase, today: dt.date
) -> exports.Package:
    """The package in memory, for the command line (nothing stored)."""
    _require(actor, case)
    missing = selectors.riv_package_missing(case=case)
    if missing:
        raise MissingDataError(missing)
    package = exports.riv_package(case=case, today=today)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="uwv_riv_package_export",
            obj=case,
            data=_package_audit(package, via=_via(actor)),
        )
    return package


def _package_audit(package: exports.Package, *, via: str) -> dict:
    # File names carry the BSN: the audit keeps parts and hashes only.
    return {
        "parts": [
            [item["onderdeel"], item["document_versie"]]
            for item in package.manifest["bestanden"]
        ],
        "findings": len(package.manifest["controle"]),
        "sha256": package.sha256,
        "via": via,
    }


def riv_package_store(*, case: AbsenceCase, today: dt.date) -> str | None:
    """Build the package and store it under its content name; a no-op when
    that file exists. Older packages of the case are removed, so at most one
    file with the full BSN rests in storage per case. Returns the storage
    name; None when the BSN is missing (nothing to build)."""
    if selectors.riv_package_missing(case=case):
        return None
    storage = document_storage()
    name = selectors.riv_package_storage_name(case=case, today=today)
    if storage.exists(name):
        return name
    package = exports.riv_package(case=case, today=today)
    stored = storage.save(name, ContentFile(package.zip))
    if stored != name:
        # A duplicate message built the same package first: keep that one.
        storage.delete(stored)
        return name
    folder = selectors.riv_package_folder(case=case)
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        files = []
    for old in files:
        if old.startswith("riv-pakket-") and f"{folder}{old}" != name:
            storage.delete(f"{folder}{old}")
    with transaction.atomic():
        audit_event_record(
            actor=None,
            action="uwv_riv_package_store",
            obj=case,
            data=_package_audit(package, via="wachtrij"),
        )
    return stored


def riv_package_download(
    *, actor: User, case: AbsenceCase, today: dt.date
) -> str | None:
    """The stored package's name when it is current (and the export is
    recorded); otherwise the documents queue builds it (after commit) and
    None comes back, for a page that checks again."""
    from integrations.uwv.tasks import uwv_riv_package_build_task

    _require(actor, case)
    missing = selectors.riv_package_missing(case=case)
    if missing:
        raise MissingDataError(missing)
    name = selectors.riv_package_storage_name(case=case, today=today)
    if not document_storage().exists(name):
        enqueue_on_commit(
            uwv_riv_package_build_task, case.pk, case.tenant_id, today.isoformat()
        )
        return None
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="uwv_riv_package_export",
            obj=case,
            data={"stored_as": name.rsplit("/", 1)[-1], "via": _via(actor)},
        )
    return name
