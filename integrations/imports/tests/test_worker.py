"""A real Celery worker on the ``integrations`` queue plans and carries out
an import over the real Redis broker."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import Employee
from config.celery import app
from integrations.imports.models import ImportRun, ImportStatus
from integrations.imports.services import (
    import_run_confirm,
    import_run_map,
    import_run_upload,
)
from integrations.imports.tests.helpers import csv_bytes, person


def _wait_for(world, run, status):
    deadline = timezone.now() + dt.timedelta(seconds=30)
    while True:
        with tenant_scope(world.tenant_a):
            current = ImportRun.objects.get(pk=run.pk)
        if current.status == status:
            return current
        assert current.status != ImportStatus.FAILED, current.failure
        assert timezone.now() < deadline, f"worker left the run {current.status}"
        time.sleep(0.2)


@pytest.fixture
def default_queue_restored():
    """A worker started with ``queues=`` narrows what the app consumes for
    every later worker in this process; put the default queue back."""
    yield
    app.amqp.queues.select_add(app.conf.task_default_queue)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("default_queue_restored")
def test_real_worker_plans_and_carries_out_a_queued_run(world):
    admin = world.user(Role.TENANT_ADMIN)
    rows = [person(f"W{i}", seed=i + 1) for i in range(120)]
    with start_worker(
        app, queues=["integrations"], perform_ping_check=False, shutdown_timeout=10
    ):
        with tenant_scope(world.tenant_a):
            run = import_run_upload(
                actor=admin,
                employer=world.employer_a1,
                file_name="export.csv",
                content=csv_bytes(rows),
            )
            import_run_map(actor=admin, run=run, columns=run.columns)
        planned = _wait_for(world, run, ImportStatus.DRY_RUN)
        assert planned.created_count == 120
        with tenant_scope(world.tenant_a):
            import_run_confirm(actor=admin, run=planned)
        done = _wait_for(world, run, ImportStatus.DONE)
    assert done.report["creates"] == planned.report["creates"]
    with tenant_scope(world.tenant_a):
        assert Employee.objects.filter(personnel_number__startswith="W").count() == 120
