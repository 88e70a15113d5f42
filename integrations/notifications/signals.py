"""Receivers: after a ziekmelding, an offer to sign or a changed appointment
commits, the mails go out through Celery on the ``integrations`` queue."""

from __future__ import annotations

from typing import Any

from celery import Task

from cases.models import AbsenceCase
from core.enqueue import enqueue_on_commit
from documents.models import Document
from poortwachter.models import Appointment


def _enqueue_on_commit(task: Task, *args: int) -> None:
    """Enqueue ``task`` once the transaction commits: a rolled-back change
    sends nothing. An unreachable broker delays the mail, never loses the
    change: ``notifications_sweep_task`` sends what no task did."""
    enqueue_on_commit(task, *args)


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
