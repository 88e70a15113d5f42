"""Corrections of old data delete the FigureSnapshots they touch.

A snapshot of a closed period is final unless someone changes the past: a
backdated ziekmelding or hersteldmelding, a workability change, an
employee's employment dates, contract hours or department, the employer's
full-time hours, a Poortwachter task or deadline saved, or a probleemanalyse
(whose date moves the plan van aanpak's deadline; compliance). Each such
save or delete removes the snapshots of that employer whose period ends on
or after the earliest day the change can affect (old and new values both
count), with one DELETE; the nightly refresh computes them again.

The old values come from ``post_init`` (what the row held when it was
loaded), so a save costs no extra SELECT, and nothing is deleted when no
statistic field changed. A change whose earliest day is today or later
cannot touch a closed period and deletes nothing.

Bulk writes (``QuerySet.update``, ``bulk_create``, ``bulk_update``) send no
model signals: the employee import, API and AFAS sync write through
``cases.services`` in bulk, which sends ``cases.signals.employees_changed``
with the earliest day it can affect. The Poortwachter refresh writes
deadlines and tasks in bulk too; what makes it change them (case facts, a
probleemanalyse) is watched here instead. Other bulk writers must call
``snapshots_invalidate``. A dashboard computed while a correction commits
may store figures from before it; the next correction or
``refresh_statistics`` puts that right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, Subquery
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from analytics.models import FigureSnapshot
from cases.models import AbsenceCase, Employee, Employer, WorkabilityChange

# Per model: the fields whose change can alter a figure, and which of them
# are dates (the others move everything since the earliest date named by
# ``_ALWAYS_FROM``).
_WATCHED: dict[type[Model], tuple[str, ...]] = {
    AbsenceCase: ("employee_id", "first_sick_day", "recovery_date", "vangnet_category"),
    WorkabilityChange: ("case_id", "effective_date", "percentage_unfit"),
    Employee: (
        "employer_id",
        "employment_start",
        "employment_end",
        "contract_hours",
        "department",
    ),
    Employer: ("fulltime_hours",),
}
_INITIAL = "_analytics_initial"


def snapshots_invalidate(*, employer_ids: Any, since: Any) -> int:
    """Delete the snapshots of ``employer_ids`` (ids, or a subquery of
    them) whose period ends on or after ``since`` (a date or a subquery of
    one; every snapshot when None). One DELETE; returns the rows deleted."""
    if isinstance(since, dt.date) and since >= timezone.localdate():
        return 0
    snapshots = FigureSnapshot.objects.filter(employer_id__in=employer_ids)
    if since is not None:
        snapshots = snapshots.filter(period_end__gte=since)
    deleted, _ = snapshots.delete()
    return deleted


def _values(instance: Model) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in _WATCHED[type(instance)]}


def _remember(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    # Runs for every row loaded, so it stays small: a dict lookup per watched
    # field. A row loaded without them (only(), values) keeps no initial
    # values; saving it counts as a change from its earliest value.
    loaded = instance.__dict__
    names = _WATCHED[sender]
    if all(name in loaded for name in names):
        loaded[_INITIAL] = {name: loaded[name] for name in names}


def _changes(instance: Model, created: bool) -> tuple[dict, dict] | None:
    """(old, new) watched values; None when nothing watched changed."""
    new = _values(instance)
    old = getattr(instance, _INITIAL, None)
    setattr(instance, _INITIAL, new)
    if created or old is None:
        return new, new
    if old == new:
        return None
    return old, new


def _earliest(*dates: dt.date | None) -> dt.date | None:
    present = [date for date in dates if date is not None]
    return min(present) if present else None


def _employer_of_employee(employee_id: int) -> Subquery:
    return Subquery(Employee.objects.filter(pk=employee_id).values("employer_id")[:1])


def _employer_of_case(case_id: int) -> Subquery:
    return Subquery(
        AbsenceCase.objects.filter(pk=case_id).values("employee__employer_id")[:1]
    )


def _case_changed(instance: AbsenceCase, old: dict, new: dict) -> None:
    since = _earliest(old["first_sick_day"], new["first_sick_day"])
    for employee_id in {old["employee_id"], new["employee_id"]}:
        snapshots_invalidate(
            employer_ids=_employer_of_employee(employee_id), since=since
        )


def _change_changed(instance: WorkabilityChange, old: dict, new: dict) -> None:
    since = _earliest(old["effective_date"], new["effective_date"])
    snapshots_invalidate(employer_ids=_employer_of_case(new["case_id"]), since=since)


def _employee_changed(instance: Employee, old: dict, new: dict) -> None:
    # Contract hours and department have no history: they change every
    # period of the employment. Only a changed end date alone is narrower.
    since = _earliest(old["employment_start"], new["employment_start"])
    if old != new and {name for name in new if old[name] != new[name]} == {
        "employment_end"
    }:
        since = _earliest(old["employment_end"], new["employment_end"])
    snapshots_invalidate(
        employer_ids={old["employer_id"], new["employer_id"]}, since=since
    )


def _employer_changed(instance: Employer, old: dict, new: dict) -> None:
    if old != new:
        snapshots_invalidate(employer_ids=[instance.pk], since=None)


def _poortwachter_changed(instance: Any, old: dict, new: dict) -> None:
    since = _earliest(old["due_date"], new["due_date"])
    snapshots_invalidate(employer_ids=_employer_of_case(new["case_id"]), since=since)


def _probleemanalyse_changed(instance: Any, old: dict, new: dict) -> None:
    # A late probleemanalyse moves the plan van aanpak's due date (the
    # refresh writes deadlines in bulk, without signals). That date is at
    # least the 56th sick day of the chain: after the employee's earliest
    # first sick day.
    earliest = Subquery(
        AbsenceCase.objects.filter(employee__cases=new["case_id"])
        .order_by("first_sick_day")
        .values("first_sick_day")[:1]
    )
    snapshots_invalidate(employer_ids=_employer_of_case(new["case_id"]), since=earliest)


_HANDLERS: dict[type[Model], Any] = {
    AbsenceCase: _case_changed,
    WorkabilityChange: _change_changed,
    Employee: _employee_changed,
    Employer: _employer_changed,
}


def _saved(
    sender: type[Model], instance: Model, created: bool = False, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    changes = _changes(instance, created)
    if changes is not None:
        _HANDLERS[sender](instance, *changes)


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    values = _values(instance)
    _HANDLERS[sender](instance, values, values)


def _employees_written(
    sender: type[Model], employer: Employer, since: dt.date, **kwargs: Any
) -> None:
    snapshots_invalidate(employer_ids=[employer.pk], since=since)


def connect() -> None:
    """Connect the handlers (``AnalyticsConfig.ready``).

    Deletes are watched only where a row can go on its own (a case, a
    workability change, an employee, a probleemanalyse): a delete receiver
    makes Django fetch and signal every row instead of one DELETE, so the
    deadlines and tasks that go with a case (or that the refresh drops) are
    covered by the case's own signal and the refresh's causes instead.
    """
    from cases.signals import employees_changed
    from poortwachter.models import Deadline, Probleemanalyse, Task

    employees_changed.connect(
        _employees_written, dispatch_uid="analytics-employees-changed"
    )
    _WATCHED[Deadline] = ("case_id", "due_date", "applies")
    _WATCHED[Task] = ("case_id", "due_date", "status", "completed_at")
    _WATCHED[Probleemanalyse] = ("case_id", "made_on")
    _HANDLERS[Deadline] = _HANDLERS[Task] = _poortwachter_changed
    _HANDLERS[Probleemanalyse] = _probleemanalyse_changed
    deletes = (AbsenceCase, WorkabilityChange, Employee, Probleemanalyse)
    for model in _WATCHED:
        uid = f"analytics-{model._meta.label_lower}"
        post_init.connect(_remember, sender=model, dispatch_uid=f"{uid}-init")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        if model in deletes:
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
