"""PDF work goes to the ``documents`` queue and a real worker renders it."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from config.celery import app
from documents.models import Document, DocumentKind
from documents.services import document_create, document_render_request
from documents.tasks import document_render_task, reintegratieverslag_render_task


@pytest.mark.parametrize(
    "task", [document_render_task, reintegratieverslag_render_task]
)
def test_document_tasks_are_routed_to_the_documents_queue(task):
    assert app.amqp.router.route({}, task.name)["queue"].name == "documents"


def test_render_task_is_a_no_op_for_unknown_ids(world):
    assert document_render_task.run(999999, world.tenant_a.pk) is False
    assert document_render_task.run(1, 999999) is False


@pytest.mark.django_db(transaction=True)
def test_real_worker_on_the_documents_queue_stores_the_pdf(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with tenant_scope(world.tenant_a):
        document = document_create(
            actor=world.user(Role.CASEMANAGER),
            case=world.a1_case,
            kind=DocumentKind.PLAN_VAN_AANPAK,
        )
    # Celery keeps the queue selection on the app: put it back afterwards, or
    # later workers in this process would consume "documents" only.
    selected = app.amqp.queues._consume_from
    try:
        with start_worker(
            app, queues=["documents"], perform_ping_check=False, shutdown_timeout=10
        ):
            with tenant_scope(world.tenant_a):
                assert document_render_request(document=document) is True
            deadline = timezone.now() + dt.timedelta(seconds=30)
            while True:
                with tenant_scope(world.tenant_a):
                    stored = Document.objects.get(pk=document.pk)
                if stored.pdf:
                    break
                assert timezone.now() < deadline, "the documents worker did not render"
                time.sleep(0.2)
    finally:
        app.amqp.queues._consume_from = selected
    assert stored.pdf.read().startswith(b"%PDF-")
    assert len(stored.sha256) == 64
