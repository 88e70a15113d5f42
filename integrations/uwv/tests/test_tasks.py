"""The package is built on the ``documents`` queue, by a real worker."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from config.celery import app
from documents.models import document_storage
from integrations.uwv import selectors
from integrations.uwv.services import riv_package_download
from integrations.uwv.tasks import uwv_riv_package_build_task


def test_package_task_is_routed_to_the_documents_queue():
    assert (
        app.amqp.router.route({}, uwv_riv_package_build_task.name)["queue"].name
        == "documents"
    )


def test_package_task_is_a_no_op_for_unknown_ids(world):
    assert uwv_riv_package_build_task.run(999999, world.tenant_a.pk, "2026-11-20") is (
        False
    )
    assert uwv_riv_package_build_task.run(1, 999999, "2026-11-20") is False


@pytest.mark.django_db(transaction=True)
def test_real_worker_on_the_documents_queue_stores_the_package(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        case = world.a1_case
        hr = world.user(Role.HR)
        name = selectors.riv_package_storage_name(case=case, today=today)
    with start_worker(
        app, queues=["documents"], perform_ping_check=False, shutdown_timeout=10
    ):
        with tenant_scope(world.tenant_a):
            assert riv_package_download(actor=hr, case=case, today=today) is None
        deadline = timezone.now() + dt.timedelta(seconds=30)
        while not document_storage().exists(name):
            assert timezone.now() < deadline, "the documents worker did not build"
            time.sleep(0.2)
    with tenant_scope(world.tenant_a):
        assert riv_package_download(actor=hr, case=case, today=today) == name
    with document_storage().open(name, "rb") as stored:
        assert stored.read(4) == b"PK\x03\x04"


def test_a_duplicate_message_builds_nothing_twice(scope_a, settings, tmp_path):
    from accounts.models import AuditEvent

    settings.MEDIA_ROOT = tmp_path / "media"
    today = "2026-11-20"
    case = scope_a.a1_case
    assert uwv_riv_package_build_task.run(case.pk, scope_a.tenant_a.pk, today)
    assert uwv_riv_package_build_task.run(case.pk, scope_a.tenant_a.pk, today)
    assert len(list((tmp_path / "media").rglob("riv-pakket-*.zip"))) == 1
    assert AuditEvent.objects.filter(action="uwv_riv_package_store").count() == 1
