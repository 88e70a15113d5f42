"""Signal receivers of the triage app."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase

logger = logging.getLogger(__name__)


def on_tenant_saved(
    sender: Any, instance: Tenant, created: bool, **kwargs: Any
) -> None:
    """Every new tenant starts with the shipped questionnaires and their
    routing rules."""
    if created and not kwargs.get("raw"):
        from triage.services import (
            questionnaires_install_default,
            routing_policies_install_default,
        )

        with tenant_scope(instance):
            questionnaires_install_default(tenant=instance)
            routing_policies_install_default(tenant=instance)


def on_case_reported(sender: Any, case: AbsenceCase, **kwargs: Any) -> None:
    """Send the triage questionnaire through Celery once the ziekmelding is
    committed. If the broker is down, the protocol task stays open in the
    regiehouder's queue, who sends it from the case."""
    from triage.tasks import triage_invite_case_task

    def enqueue() -> None:
        try:
            triage_invite_case_task.delay(case.pk, case.tenant_id)
        except Exception:
            logger.warning(
                "could not enqueue triage of case %s", case.pk, exc_info=True
            )

    transaction.on_commit(enqueue)
