"""Syncing employees from AFAS: fetch, map, then the import's own plan and
write (all or nothing), recorded as an ``ImportRun``."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from core.enqueue import enqueue_on_commit
from integrations.afas.client import AfasClient, AfasError
from integrations.afas.mapping import (
    PERSONNEL_NUMBER_FIELD,
    field_map_for,
    source_rows,
)
from integrations.afas.models import AfasConnection
from integrations.imports.models import ImportRun, ImportSource
from integrations.imports.services import import_rows_run, import_run_failed_record

logger = logging.getLogger(__name__)


def afas_sync(
    *, connection: AfasConnection, client: AfasClient | None = None
) -> ImportRun:
    """Import the employees AFAS lists for the connection's employer.

    Nothing is deleted: employees AFAS no longer lists are reported on the
    run. A row error, an unreachable AFAS or a refused token writes nothing
    and fails the run with the reason.
    """
    label = f"AFAS {connection.connector_id}"
    client = client or AfasClient(base_url=connection.base_url, token=connection.token)
    field_map = field_map_for(connection.field_map)
    try:
        afas_rows = list(
            client.rows(
                connector_id=connection.connector_id,
                order_by=next(
                    (afas for afas, t in field_map.items() if t == "personnel_number"),
                    PERSONNEL_NUMBER_FIELD,
                ),
            )
        )
    except AfasError as error:
        logger.warning("AFAS sync of connection %s failed: %s", connection.pk, error)
        return import_run_failed_record(
            employer=connection.employer,
            source=ImportSource.AFAS,
            label=label,
            message=_("AFAS gaf geen medewerkers: %(reason)s.") % {"reason": error},
        )
    if not afas_rows:
        return import_run_failed_record(
            employer=connection.employer,
            source=ImportSource.AFAS,
            label=label,
            message=_(
                "AFAS gaf een lege lijst medewerkers; er is niets gewijzigd. "
                "Controleer de GetConnector."
            ),
        )
    rows, columns = source_rows(afas_rows, field_map)
    return import_rows_run(
        actor=None,
        employer=connection.employer,
        rows=rows,
        columns=columns,
        source=ImportSource.AFAS,
        label=label,
    )


def afas_sync_request(*, connection: AfasConnection) -> None:
    """Sync ``connection`` in the worker, after the current transaction."""
    from integrations.afas.tasks import afas_sync_task

    enqueue_on_commit(afas_sync_task, connection.pk, connection.tenant_id)
