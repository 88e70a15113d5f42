"""The ``data`` of each event type: ids and non-medical facts only.

This module is the whitelist. It reads named, non-medical fields of cases,
workability changes, documents and tasks, and nothing else: no names, no
BSN, no free text (contact notes, agreements, task notes), and never a
medical model (consult notes, probleemanalyse medical part, FML, answers to
questionnaires). ``docs/integrations/webhooks.md`` documents every field;
a test builds every type from a case full of medical data and checks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cases.models import AbsenceCase, WorkabilityChange
from documents.models import Document
from documents.selectors import case_reference
from poortwachter.models import Task

# Event ids of facts that happen once are derived from the fact, so the same
# fact always gets the same id (uuid5 of "<type>:<object id>").
EVENT_NAMESPACE = uuid.UUID("5f1d8f0e-4a8e-4f59-9a51-2d8a3c0b7e11")


def event_id_for(key: str) -> uuid.UUID:
    """The stable event id of a domain fact, e.g. ``case.created:123``."""
    return uuid.uuid5(EVENT_NAMESPACE, key)


def timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second."""
    return (
        moment.astimezone(dt.UTC)
        .replace(microsecond=0)
        .isoformat()
        .replace("+00:00", "Z")
    )


def _case(case: AbsenceCase) -> dict[str, Any]:
    employee = case.employee
    return {
        "case_id": case.pk,
        "case_reference": case_reference(case=case),
        "employee_id": employee.pk,
        "personnel_number": employee.personnel_number,
        "employer_id": employee.employer_id,
        "first_sick_day": case.first_sick_day.isoformat(),
    }


def case_created_data(case: AbsenceCase) -> dict[str, Any]:
    """A new ziekmelding."""
    return {**_case(case), "reported_at": timestamp(case.reported_at)}


def case_recovery_data(case: AbsenceCase, change: WorkabilityChange) -> dict[str, Any]:
    """A (partial) hersteldmelding: from when, and how far fit."""
    data = {
        **_case(case),
        "effective_date": change.effective_date.isoformat(),
        "percentage_fit": 100 - change.percentage_unfit,
        "percentage_unfit": change.percentage_unfit,
        "hours_worked": (
            None
            if change.hours_worked is None
            else format(Decimal(str(change.hours_worked)), ".1f")
        ),
    }
    if case.recovery_date is not None:
        data["recovery_date"] = case.recovery_date.isoformat()
    return data


def document_signed_data(document: Document) -> dict[str, Any]:
    """A document version became final: which one, and the hash of its PDF."""
    return {
        **_case(document.case),
        "document_id": document.pk,
        "document_kind": document.kind,
        "document_version": document.version,
        "sha256": document.sha256,
        "signed_at": timestamp(document.signed_at or timezone.now()),
    }


def task_data(task: Task) -> dict[str, Any]:
    """A task of the case's timeline: its key (the milestone or protocol step
    code), never its title or note."""
    data = {
        **_case(task.case),
        "task_id": task.pk,
        "task_key": task.key,
        "task_source": task.source,
        "task_round": task.round,
        "assignee_role": task.assignee_role,
        "due_date": task.due_date.isoformat(),
    }
    if task.completed_at is not None:
        data["completed_at"] = timestamp(task.completed_at)
    return data
