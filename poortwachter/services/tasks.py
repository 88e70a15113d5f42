"""Tasks: completing them (the queue's actions arrive with the portal)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_event_record
from core.exceptions import ApplicationError
from poortwachter.models import Task, TaskSource, TaskStatus


def task_complete(
    *, actor: User, task: Task, note: str = "", completed_on: dt.date | None = None
) -> Task:
    """Mark ``task`` done by ``actor``; a legal task's date may move later ones.

    Completing the probleemanalyse or plan van aanpak records the date the
    rules use (a late probleemanalyse moves the plan van aanpak), so the chain
    is refreshed after commit.
    """
    from cases.signals import case_facts_changed

    when = timezone.now()
    if completed_on is not None:
        if completed_on > timezone.localdate(when):
            raise ApplicationError(
                _("De datum van afronden ligt in de toekomst."), field="completed_on"
            )
        when = timezone.make_aware(dt.datetime.combine(completed_on, dt.time(12)))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status == TaskStatus.DONE:
            raise ApplicationError(_("Deze taak is al afgerond."), field="task")
        locked.status = TaskStatus.DONE
        locked.completed_by = actor
        locked.completed_at = when
        locked.note = note.strip()
        locked.save(update_fields=["status", "completed_by", "completed_at", "note"])
        audit_event_record(
            actor=actor,
            action="task_complete",
            obj=locked,
            data={"key": locked.key, "round": locked.round},
        )
        if locked.source == TaskSource.LEGAL:
            case_facts_changed.send(sender=Task, case=locked.case)
    return locked
