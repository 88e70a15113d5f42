"""Reads of the poortwachter app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Model, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.access import cases_visible_to
from accounts.models import User
from cases.models import AbsenceCase, CaseStatus, Employee
from poortwachter.models import (
    Appointment,
    AppointmentKind,
    Deadline,
    Fml,
    MedicalRecordType,
    Task,
    TaskStatus,
)
from poortwachter.rules import RULES_VERSION


def cases_needing_refresh(*, today: dt.date, stale_only: bool = False) -> QuerySet:
    """Ids of chain roots (in the active scope) whose timeline must be refreshed.

    Stale ones (facts changed, protocol changed, enqueue failed), open chains
    without a timeline, and, unless ``stale_only``, open chains whose next
    repeating task round enters the planning horizon or whose timeline was
    computed by an older ``RULES_VERSION``. The cost follows these, not all
    cases.
    """
    needs = Q(timeline__stale=True)
    if not stale_only:
        needs |= Q(
            timeline__isnull=True, previous_case__isnull=True, status=CaseStatus.OPEN
        )
        needs |= Q(timeline__is_open=True, timeline__next_review_on__lte=today)
        needs |= Q(timeline__is_open=True) & ~Q(timeline__rules_version=RULES_VERSION)
    return AbsenceCase.objects.filter(needs).order_by("pk").values_list("pk", flat=True)


def chain_deadlines(*, root: AbsenceCase) -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=root).order_by("due_date", "milestone")


def chain_tasks(*, root: AbsenceCase) -> QuerySet[Task]:
    return (
        Task.objects.filter(case=root)
        .select_related("assignee")
        .order_by("status", "due_date", "id")
    )


def tasks_due_by(*, day: dt.date) -> QuerySet[Task]:
    """Open, assigned tasks due on or before ``day`` (in the active scope)."""
    return (
        Task.objects.filter(
            status=TaskStatus.OPEN, due_date__lte=day, assignee__isnull=False
        )
        .select_related("case__employee", "assignee")
        .order_by("assignee_id", "due_date", "id")
    )


BUCKETS = ("overdue", "today", "week", "later")


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; every field optional."""

    bucket: str = "overdue"
    employer_id: int | None = None
    key: str = ""
    assignee: str = "me"  # "me", "all", "none" or a user id
    search: str = ""


def task_queue(
    *, actor: User, today: dt.date, filters: QueueFilters
) -> tuple[dict[str, int], QuerySet[Task]]:
    """The daily queue: counts per bucket and the tasks of the chosen bucket.

    Buckets go by when a task shows up (its snooze date, else its due date):
    overdue, today, the next seven days, later. Two queries whatever the size.
    """
    planned = Coalesce("snoozed_until", "due_date")
    qs = Task.objects.filter(
        status=TaskStatus.OPEN, case__in=cases_visible_to(actor)
    ).annotate(planned=planned)
    if filters.employer_id:
        qs = qs.filter(case__employee__employer_id=filters.employer_id)
    if filters.key:
        qs = qs.filter(key=filters.key)
    if filters.assignee == "me":
        qs = qs.filter(assignee=actor)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.search:
        term = filters.search.strip()
        qs = qs.filter(
            Q(case__employee__surname__icontains=term)
            | Q(case__employee__first_name__icontains=term)
            | Q(case__employee__personnel_number__iexact=term)
        )
    week_end = today + dt.timedelta(days=7)
    conditions = {
        "overdue": Q(planned__lt=today),
        "today": Q(planned=today),
        "week": Q(planned__gt=today, planned__lte=week_end),
        "later": Q(planned__gt=week_end),
    }
    counts = qs.aggregate(
        **{
            name: Count("pk", filter=condition)
            for name, condition in conditions.items()
        }
    )
    bucket = filters.bucket if filters.bucket in conditions else "overdue"
    tasks = (
        qs.filter(conditions[bucket])
        .select_related("case__employee__employer", "assignee", "protocol_step")
        .order_by("planned", "due_date", "pk")
    )
    return counts, tasks


def task_list(*, actor: User) -> QuerySet[Task]:
    """Every task, open or done, on a case the actor may see."""
    return Task.objects.filter(case__in=cases_visible_to(actor)).select_related(
        "case", "assignee"
    )


def task_get(*, actor: User, task_id: int) -> Task:
    """One task on a case the actor may see; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Task.objects.filter(case__in=cases_visible_to(actor)).select_related(
            "case__employee__employer", "assignee", "protocol_step"
        ),
        pk=task_id,
    )


def assignable_users(*, tenant_roles: tuple[str, ...]) -> QuerySet:
    """Active members of the scoped tenant in ``tenant_roles``, by name."""
    from accounts.models import Membership

    return (
        Membership.objects.filter(is_active=True, role__in=tenant_roles)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def protocol_steps() -> QuerySet:
    """The scoped tenant's protocol steps, in their order."""
    from poortwachter.models import ProtocolStep

    return ProtocolStep.objects.order_by("position", "pk")


def probleemanalyse_list(*, chain: list[AbsenceCase]) -> QuerySet:
    """The judgements on a chain of sick periods (``case_chain``), newest
    first: the part for employer and employee only (no medical fields;
    callers have checked ``VIEW``)."""
    from poortwachter.models import Probleemanalyse

    return (
        Probleemanalyse.objects.filter(case__in=chain)
        .select_related("bedrijfsarts")
        .order_by("-made_on", "-pk")
    )


def probleemanalyse_medical_get(
    *, actor: User, probleemanalyse_id: int, remote_addr: str | None
) -> tuple:
    """A probleemanalyse with its medical part, logging the read; 404 for
    anyone who may not read medical data of that case."""
    from poortwachter.models import Probleemanalyse

    return medical_record_get(
        actor=actor,
        model=Probleemanalyse,
        pk=probleemanalyse_id,
        record_type="probleemanalyse_medical",
        remote_addr=remote_addr,
    )


# Every medical model and the one record type its reads are logged under.
# ``tests/test_architecture.py`` checks that every medical model is here and
# that nothing outside this path reads one.
MEDICAL_RECORD_MODELS: dict[str, str] = {
    MedicalRecordType.CONSULT: "poortwachter.consultmedical",
    MedicalRecordType.PROBLEEMANALYSE: "poortwachter.probleemanalysemedical",
    MedicalRecordType.QUESTIONNAIRE: "triage.responsemedical",
}


def medical_record_get(
    *,
    actor: User,
    model: type[Model],
    pk: int,
    record_type: str,
    remote_addr: str | None,
    case_path: str = "case",
    related: tuple[str, ...] = ("bedrijfsarts",),
) -> tuple:
    """One record of ``model`` on a visible case with its ``medical`` part,
    after checking ``VIEW_MEDICAL`` and writing the access-log row (who,
    which record, which employee, when, in which role, from where). The row is
    written before the record is handed out: a read that cannot be logged
    fails, and callers render the page in the same transaction as the row,
    so a page shown is a page logged. The one path to medical data for every
    app; ``case_path`` is the lookup from the record to its case."""
    from operator import attrgetter

    from django.http import Http404

    from accounts.access import Action, can, membership_for
    from poortwachter.models import MedicalAccessLog

    record = (
        model.objects.filter(**{f"{case_path}__in": cases_visible_to(actor)}, pk=pk)
        .select_related(f"{case_path}__employee", "medical", *related)
        .first()
    )
    case = attrgetter(case_path.replace("__", "."))(record) if record else None
    if case is None or not can(actor, Action.VIEW_MEDICAL, case):
        raise Http404
    if record.medical._meta.label_lower != MEDICAL_RECORD_MODELS[record_type]:
        raise ValueError(f"{record_type} is not the record type of {model}")
    MedicalAccessLog.objects.create(
        tenant_id=record.tenant_id,
        user=actor,
        role=membership_for(actor).role,
        record_type=record_type,
        record_id=record.medical.pk,
        employee=case.employee,
        remote_addr=remote_addr,
    )
    return record, record.medical


def case_open_tasks(*, actor: User, case: AbsenceCase) -> QuerySet[Task]:
    """Open tasks on ``case``'s chain that ``actor`` may work, soonest first:
    a manager sees their own, a casemanager all of them."""
    from accounts.access import tasks_workable_by
    from poortwachter.services import case_chain

    root = case_chain(case=case)[0]
    return tasks_workable_by(
        actor, chain_tasks(root=root).filter(status=TaskStatus.OPEN)
    ).select_related("assignee", "protocol_step")


def fml_latest(*, chain: list[AbsenceCase]) -> Fml | None:
    """The newest FML on a chain (the one the employer reads)."""
    return (
        Fml.objects.filter(case__in=chain)
        .select_related("bedrijfsarts")
        .order_by("-made_on", "-pk")
        .first()
    )


def consult_list(*, chain: list[AbsenceCase]) -> QuerySet:
    """The consults on a chain, newest first: facts only (date, form, next
    appointment), never the medical notes."""
    from poortwachter.models import Consult

    return (
        Consult.objects.filter(case__in=chain)
        .select_related("bedrijfsarts")
        .order_by("-held_on", "-pk")
    )


def consult_medical_get(
    *, actor: User, consult_id: int, remote_addr: str | None
) -> tuple:
    """A consult with its medical notes, logging the read; 404 for anyone who
    may not read medical data of that case."""
    from poortwachter.models import Consult

    return medical_record_get(
        actor=actor,
        model=Consult,
        pk=consult_id,
        record_type="consult_medical",
        remote_addr=remote_addr,
    )


def employer_overview(*, actor: User, today: dt.date) -> dict[str, QuerySet]:
    """HR's view of its employer: open cases with their next legal step,
    overdue legal steps and whether they near week 42 / 88; recent reports.

    Deadlines live on a chain's first case; a relapse (depth 2) finds them
    through ``previous_case``. A fixed number of queries.
    """
    from django.db.models import Exists, IntegerField, OuterRef, Subquery

    own = Q(case=OuterRef("pk")) | Q(case=OuterRef("previous_case"))
    upcoming = Deadline.objects.filter(own, applies=True, due_date__gte=today).order_by(
        "due_date"
    )
    overdue = (
        Task.objects.filter(
            own, source="legal", status=TaskStatus.OPEN, due_date__lt=today
        )
        .order_by()
        .values("tenant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    horizon = today + dt.timedelta(weeks=6)
    open_cases = (
        cases_visible_to(actor)
        .filter(status=CaseStatus.OPEN)
        .select_related("employee__employer")
        .annotate(
            next_milestone=Subquery(upcoming.values("milestone")[:1]),
            next_due=Subquery(upcoming.values("due_date")[:1]),
            overdue_legal=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
            nearing_42=Exists(
                Deadline.objects.filter(
                    own,
                    milestone="uwv_42_week_melding",
                    applies=True,
                    due_date__gte=today,
                    due_date__lte=horizon,
                )
            ),
            nearing_88=Exists(
                Deadline.objects.filter(
                    own,
                    milestone="wia_aanvraag",
                    applies=True,
                    opens_on__gte=today,
                    opens_on__lte=horizon,
                )
            ),
        )
        .order_by("-overdue_legal", "next_due", "pk")
    )
    recent = (
        cases_visible_to(actor)
        .filter(first_sick_day__gte=today - dt.timedelta(days=14))
        .select_related("employee__employer")
        .order_by("-first_sick_day", "-pk")
    )
    return {
        "open_cases": open_cases,
        "recent": recent,
    }


def physician_cases(*, actor: User) -> QuerySet:
    """Open cases assigned to the bedrijfsarts with their next physician step
    (the first open task for the bedrijfsarts role on the chain)."""
    from django.db.models import OuterRef, Subquery

    own = Q(case=OuterRef("pk")) | Q(case=OuterRef("previous_case"))
    steps = Task.objects.filter(
        own, status=TaskStatus.OPEN, assignee_role="bedrijfsarts"
    ).order_by("due_date", "pk")
    return (
        cases_visible_to(actor)
        .filter(status=CaseStatus.OPEN)
        .select_related("employee__employer")
        .annotate(
            next_step_id=Subquery(steps.values("pk")[:1]),
            next_step_due=Subquery(steps.values("due_date")[:1]),
        )
        .order_by("next_step_due", "first_sick_day", "pk")
    )


def tasks_by_id(*, ids: list[int]) -> dict[int, Task]:
    """Tasks of the scoped tenant by id (ids the caller got from a selector)."""
    return {
        task.pk: task
        for task in Task.objects.filter(pk__in=ids).select_related("protocol_step")
    }


@dataclass(frozen=True)
class MailRecipient:
    """Where a person gets mail, in which language, and what to call them."""

    name: str
    email: str
    language: str
    is_organizer: bool = False


def user_recipient(*, user: User | None) -> MailRecipient | None:
    """An active user with an address, as a recipient; else ``None``. An API
    key's own account has an address under the reserved ``.invalid`` domain
    (RFC 2606): nothing is sent there, or a mail server that refuses it would
    hold up the mails to real people in the same task."""
    if user is None or not user.is_active or not user.email:
        return None
    if user.email.lower().endswith(".invalid"):
        return None
    return MailRecipient(user.get_full_name(), user.email, user.preferred_language)


def employee_recipient(*, employee: Employee) -> MailRecipient | None:
    """Where the employee gets mail: their own account's address (the one
    they log in with), else the address on file; ``None`` without either."""
    account = user_recipient(user=employee.user)
    if account is not None:
        return MailRecipient(employee.display_name, account.email, account.language)
    if not employee.email:
        return None
    return MailRecipient(
        employee.display_name, employee.email, employee.preferred_language
    )


def appointment_list(*, case: AbsenceCase) -> QuerySet[Appointment]:
    """The appointments of a case, soonest first; cancelled ones too (the
    page shows them struck through)."""
    return Appointment.objects.filter(case=case).select_related("organizer")


def appointment_get(*, actor: User, appointment_id: int) -> Appointment:
    """One appointment on a case the actor may see; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Appointment.objects.filter(case__in=cases_visible_to(actor)).select_related(
            "case__employee__employer", "organizer"
        ),
        pk=appointment_id,
    )


def appointment_attendees(*, appointment: Appointment) -> list[MailRecipient]:
    """Who is invited, each address once: the employee; the bedrijfsarts for
    a spreekuur; the manager, regiehouder and casemanager for an
    evaluatiegesprek; and whoever planned it (the organizer). People without
    an address are left out."""
    case = appointment.case
    people: list[MailRecipient | None] = [employee_recipient(employee=case.employee)]
    if appointment.kind == AppointmentKind.SPREEKUUR:
        people.append(user_recipient(user=case.bedrijfsarts))
    else:
        people += [
            user_recipient(user=case.employee.manager),
            user_recipient(user=case.regiehouder),
            user_recipient(user=case.casemanager),
        ]
    organizer = user_recipient(user=appointment.organizer)
    if organizer is not None:
        people.append(
            MailRecipient(
                organizer.name, organizer.email, organizer.language, is_organizer=True
            )
        )
    unique: dict[str, MailRecipient] = {}
    for person in people:
        if person is None:
            continue
        key = person.email.lower()
        # The organizer's own entry wins: it carries the organizer flag.
        if key not in unique or person.is_organizer:
            unique[key] = person
    return list(unique.values())


def appointment_kinds_for(*, actor: User, case: AbsenceCase) -> list[str]:
    """The kinds of appointment ``actor`` may plan (and change) on ``case``,
    asked of the access policy per kind."""
    from accounts.access import Action, can

    return [
        kind
        for kind in AppointmentKind.values
        if can(actor, Action.APPOINTMENT_PLAN, Appointment(case=case, kind=kind))
    ]


@dataclass(frozen=True)
class AccessLogFilters:
    """What the privacy officer searches the medical access log for."""

    employee: str = ""
    user: str = ""
    record_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_log_search(*, filters: AccessLogFilters) -> QuerySet:
    """Reads of medical data in the scoped tenant, newest first: by employee
    (name or personnel number), by user (name or e-mail address), by kind of
    record and by day (both ends included). Callers check that the reader is
    a privacy officer (``accounts.access.is_privacy_officer``)."""
    from poortwachter.models import MedicalAccessLog

    qs = MedicalAccessLog.objects.select_related("user", "employee__employer")
    if filters.employee.strip():
        term = filters.employee.strip()
        qs = qs.filter(
            Q(employee__surname__icontains=term)
            | Q(employee__first_name__icontains=term)
            | Q(employee__personnel_number__iexact=term)
        )
    if filters.user.strip():
        term = filters.user.strip()
        qs = qs.filter(
            Q(user__full_name__icontains=term) | Q(user__email__icontains=term)
        )
    if filters.record_type:
        qs = qs.filter(record_type=filters.record_type)
    if filters.date_from:
        qs = qs.filter(accessed_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(
            accessed_at__lt=_day_start(filters.date_to + dt.timedelta(days=1))
        )
    return qs.order_by("-accessed_at", "-pk")


def access_log_for_employee(*, employee: Employee) -> QuerySet:
    """Every read of ``employee``'s medical data, oldest first: what the
    employee gets when they ask who looked at it (AVG art. 15)."""
    from poortwachter.models import MedicalAccessLog

    return (
        MedicalAccessLog.objects.filter(employee=employee)
        .select_related("user")
        .order_by("accessed_at", "pk")
    )


EMPLOYEE_SEARCH_LIMIT = 20


def employees_search(*, term: str) -> QuerySet[Employee]:
    """Employees of the scoped tenant by name or personnel number (at most
    ``EMPLOYEE_SEARCH_LIMIT``), for the privacy officer's export."""
    term = term.strip()
    return (
        Employee.objects.filter(
            Q(surname__icontains=term)
            | Q(first_name__icontains=term)
            | Q(personnel_number__iexact=term)
        )
        .select_related("employer")
        .order_by("surname", "pk")[:EMPLOYEE_SEARCH_LIMIT]
    )


def employee_for_privacy_officer(*, employee_id: int) -> Employee | None:
    """An employee of the scoped tenant, for the privacy officer's export."""
    return Employee.objects.filter(pk=employee_id).select_related("employer").first()
