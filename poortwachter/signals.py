"""Reactions of the poortwachter app to events elsewhere (decoupled side
effects), and the signals it sends for others (``task_completed``,
``appointment_changed``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from core.enqueue import enqueue_on_commit

# Sent inside the transaction in which a person completed a task, with
# ``task``. Receivers do their own work through ``transaction.on_commit``.
task_completed = Signal()

# Sent inside the transaction that planned, moved or cancelled an
# appointment, with ``appointment``; the calendar invitations go out from a
# receiver elsewhere (integrations), through ``transaction.on_commit``.
appointment_changed = Signal()


def on_case_facts_changed(sender: Any, case: AbsenceCase, **kwargs: Any) -> None:
    """Mark the chain stale now; refresh it through Celery after commit.

    The stale flag is written in the same transaction as the change, so if
    the broker is unreachable the beat sweep still refreshes the chain.
    """
    from poortwachter.services import timeline_mark_stale
    from poortwachter.tasks import deadlines_refresh_case_task

    timeline_mark_stale(case=case)
    # Broker down: the stale sweep picks it up.
    enqueue_on_commit(deadlines_refresh_case_task, case.pk, case.tenant_id)


def on_case_people_changed(
    sender: Any, case: AbsenceCase, changes: dict[str, tuple], **kwargs: Any
) -> None:
    """Open tasks of a replaced person go to their successor on the case."""
    from poortwachter.models import Task, TaskStatus
    from poortwachter.services import case_chain

    root = case_chain(case=case)[0]
    for role, (old, new) in changes.items():
        if old is not None:
            Task.objects.filter(
                case=root, status=TaskStatus.OPEN, assignee_role=role, assignee_id=old
            ).update(assignee_id=new)


def on_tenant_saved(
    sender: Any, instance: Tenant, created: bool, **kwargs: Any
) -> None:
    """Every new tenant starts with the default protocol."""
    if created and not kwargs.get("raw"):
        from poortwachter.services import protocol_install_default

        with tenant_scope(instance):
            protocol_install_default(tenant=instance)
