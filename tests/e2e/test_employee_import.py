"""A tenant admin imports employees in the browser: upload, map, the dry run
with its progress bar (static JavaScript polling), confirm, result."""

from __future__ import annotations

import threading
from unittest import mock

from django.db import connection
from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import Employee
from integrations.imports.tasks import import_run_execute_task, import_run_plan_task
from integrations.imports.tests.helpers import csv_bytes, person, valid_bsn


def _worker_later(task):
    """Stand-in for the integrations worker: the task runs a moment after it
    is enqueued, on another thread, so the page shows the run in progress."""

    def delay(*args):
        def run():
            try:
                task(*args)
            finally:
                connection.close()

        threading.Timer(1.0, run).start()

    return delay


def test_tenant_admin_imports_employees(world, ui, tmp_path):
    bsn = valid_bsn(31)
    export = tmp_path / "export.csv"
    export.write_bytes(csv_bytes([person("E2E1", **{"BSN": bsn}), person("E2E2")]))
    with (
        mock.patch.object(
            import_run_plan_task, "delay", _worker_later(import_run_plan_task)
        ),
        mock.patch.object(
            import_run_execute_task, "delay", _worker_later(import_run_execute_task)
        ),
    ):
        ui.login(world.user(Role.TENANT_ADMIN).email)
        ui.goto("/t/tenant-a/beheer/")
        ui.page.get_by_role("link", name="Imports van werknemers").first.click()
        ui.page.get_by_role("link", name="Werknemers importeren").click()
        ui.page.select_option("#id_employer", label=world.employer_a1.name)
        ui.page.set_input_files("#id_file", str(export))
        ui.shot("upload")
        ui.page.get_by_role("button", name="Verder: kolommen koppelen").click()
        expect(ui.page.locator("#id_personnel_number")).to_have_value(
            "Personeelsnummer"
        )
        ui.shot("mapping")
        ui.page.get_by_role("button", name="Proefrun starten").click()
        expect(ui.page.locator("[data-import-progress]")).to_be_visible()
        ui.shot("progress")
        expect(ui.page.get_by_text("Proefrun klaar")).to_be_visible()
        expect(ui.page.locator("#creates")).to_be_visible()
        ui.shot("dry-run")
        assert bsn not in ui.page.content()
        ui.page.get_by_role("button", name="Importeren").click()
        expect(ui.page.locator(".import-status-done")).to_be_visible()
        ui.shot("done")
        assert bsn not in ui.page.content()
    with tenant_scope(world.tenant_a):
        assert Employee.objects.get(personnel_number="E2E1").bsn == bsn
