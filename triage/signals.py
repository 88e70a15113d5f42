"""Signal receivers of the triage app."""

from __future__ import annotations

from typing import Any

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from core.enqueue import enqueue_on_commit


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
    committed. If the broker is down, the beat sweep
    (``invitations_sweep_task``) sends it once the broker is back; after a
    day the protocol task stays open in the regiehouder's queue."""
    from triage.tasks import triage_invite_case_task

    enqueue_on_commit(triage_invite_case_task, case.pk, case.tenant_id)
