"""Tasks: completing them (the queue's actions arrive with the portal)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_changes, audit_snapshot
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
    from poortwachter.signals import task_completed

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
        fields = ("status", "completed_by", "completed_at", "note")
        before = audit_snapshot(locked, fields)
        locked.status = TaskStatus.DONE
        locked.completed_by = actor
        locked.completed_at = when
        locked.note = note.strip()
        locked.save(update_fields=list(fields))
        audit_event_record(
            actor=actor,
            action="task_complete",
            obj=locked,
            data={"key": locked.key, "round": locked.round},
            changes=audit_changes(locked, before),
        )
        if locked.source == TaskSource.LEGAL:
            case_facts_changed.send(sender=Task, case=locked.case)
        task_completed.send(sender=Task, task=locked)
    return locked


SNOOZE_MAX_DAYS = 90


def task_snooze(
    *,
    actor: User,
    task: Task,
    until: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> Task:
    """Hide an open task from the queue until ``until``, with a reason.

    The due date does not move. A legal task cannot be snoozed past its legal
    due date: that would hide the deadline the law sets.
    """
    today = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Geef een reden voor het uitstel."), field="reason")
    if until <= today:
        raise ApplicationError(_("Kies een datum na vandaag."), field="until")
    if until > today + dt.timedelta(days=SNOOZE_MAX_DAYS):
        raise ApplicationError(
            _("Uitstellen kan hoogstens %(days)d dagen.") % {"days": SNOOZE_MAX_DAYS},
            field="until",
        )
    if task.source == TaskSource.LEGAL and until > task.due_date:
        raise ApplicationError(
            _(
                "Een wettelijke taak kan niet voorbij de uiterste datum "
                "(%(date)s) worden uitgesteld."
            )
            % {"date": task.due_date.strftime("%d-%m-%Y")},
            field="until",
        )
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            raise ApplicationError(_("Deze taak is niet meer open."), field="task")
        before = audit_snapshot(locked, ("snoozed_until", "snooze_reason"))
        locked.snoozed_until = until
        locked.snooze_reason = reason[:300]
        locked.save(update_fields=["snoozed_until", "snooze_reason"])
        audit_event_record(
            actor=actor,
            action="task_snooze",
            obj=locked,
            data={"until": until.isoformat()},
            changes=audit_changes(locked, before),
        )
    return locked


def task_reassign(*, actor: User, task: Task, assignee: User) -> Task:
    """Give an open task to ``assignee``, who must be able to see its case."""
    from accounts.access import Action, can

    if not can(assignee, Action.VIEW, task.case):
        raise ApplicationError(
            _("%(name)s heeft geen toegang tot dit dossier.")
            % {"name": assignee.get_full_name()},
            field="assignee",
        )
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            raise ApplicationError(_("Deze taak is niet meer open."), field="task")
        before = audit_snapshot(locked, ("assignee",))
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        audit_event_record(
            actor=actor,
            action="task_reassign",
            obj=locked,
            data={"assignee_id": assignee.pk},
            changes=audit_changes(locked, before),
        )
    return locked
