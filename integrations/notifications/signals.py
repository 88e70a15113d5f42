"""Receivers: after a ziekmelding, an offer to sign or a changed appointment
commits, the mails go out through Celery on the ``integrations`` queue."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

from cases.models import AbsenceCase
from documents.models import Document
from poortwachter.models import Appointment

logger = logging.getLogger(__name__)


def _enqueue_on_commit(task: Task, *args: int) -> None:
    """Enqueue ``task`` once the transaction commits: a rolled-back change
    sends nothing. An unreachable broker loses the mail, never the change;
    the failure is logged."""

    def enqueue() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.warning("could not enqueue %s%s", task.name, args, exc_info=True)

    transaction.on_commit(enqueue)


def on_case_reported(sender: Any, case: AbsenceCase, **kwargs: Any) -> None:
    from integrations.notifications.tasks import ziekmelding_confirm_task

    _enqueue_on_commit(ziekmelding_confirm_task, case.pk, case.tenant_id)


def on_document_signatures_requested(
    sender: Any, document: Document, **kwargs: Any
) -> None:
    from integrations.notifications.tasks import signature_request_notify_task

    _enqueue_on_commit(signature_request_notify_task, document.pk, document.tenant_id)


def on_appointment_changed(
    sender: Any, appointment: Appointment, **kwargs: Any
) -> None:
    from integrations.notifications.tasks import appointment_invite_task

    _enqueue_on_commit(appointment_invite_task, appointment.pk, appointment.tenant_id)
