"""The retention run: anonymise or delete what is past its period.

Per samentelling chain (never one case of a chain alone), per category of
data (``RetentionCategory``), as the tenant's ``RetentionPolicy`` says. What
an anonymised case keeps is what the absence statistics need and nothing that
names or describes the person: its dates, its workability changes
(percentages and hours), its employer, route and roles, its deadlines and
tasks (without notes), its interventions' kind, dates and cost, and the
dates of consults, documents and questionnaires. The medical access log is
never touched (NEN 7513); an employee it refers to is pseudonymised, never
deleted. ``docs/security/retention.md`` lists every field.

Chains are processed in batches (one transaction, set-based queries) and
marked per category (``RetentionMark``), so a run can stop anywhere and the
next one carries on; running twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import AuditEvent, Membership, Role, Tenant, User
from accounts.services import audit_event_record
from cases.models import (
    AbsenceCase,
    AbsenceCaseUserObjectPermission,
    CaseStatus,
    ContactNote,
    Employee,
    Intervention,
    WorkabilityChange,
)
from documents.models import Document, Signature, document_storage
from integrations.notifications.models import NotificationSent
from poortwachter.models import (
    Appointment,
    CaseTimeline,
    Consult,
    ConsultMedical,
    Fml,
    MedicalAccessLog,
    Probleemanalyse,
    ProbleemanalyseMedical,
    Task,
    TaskSource,
)
from privacy import selectors
from privacy.models import (
    CASE_CATEGORIES,
    RetentionAction,
    RetentionCategory,
    RetentionMark,
    RetentionPolicy,
    RetentionRun,
    RetentionTrigger,
)
from triage.models import Invitation, Response, ResponseMedical, RoutingDecision

logger = logging.getLogger(__name__)

# Chains looked at per query, and per run: the nightly run stops after
# RUN_LIMIT chains (and as many employees) and the next night carries on.
BATCH_SIZE = 200
RUN_LIMIT = 2000

# What an anonymised employee is called; the personnel number becomes
# "geanonimiseerd-<id>" so an HR import never matches it again.
PSEUDONYM_SURNAME = "Geanonimiseerd"
# The title of a task someone typed by hand (it may name the person).
MANUAL_TASK_TITLE = "Handmatige taak"

# Audit events this app writes: counts and categories only, so never
# anonymised or deleted by a later run.
RETENTION_AUDIT_ACTIONS = (
    "retention_case_anonymise",
    "retention_case_delete",
    "retention_employee_anonymise",
    "retention_employee_delete",
    "employee_erase",
    "employee_export",
)


@dataclass
class RetentionReport:
    """What a run did (or, in a dry run, would do): rows per category."""

    reference_date: dt.date
    dry_run: bool
    cases: int = 0
    employees: int = 0
    files: int = 0
    counts: dict[str, dict[str, object]] = field(default_factory=dict)
    complete: bool = True
    run: RetentionRun | None = None
    # A dry run writes no marks: what it would have marked, and the cases it
    # would have deleted, so that the employees after them are judged right.
    planned: set[tuple[int, str]] = field(default_factory=set)
    planned_deletions: set[int] = field(default_factory=set)

    def add(self, category: str, action: str, rows: int) -> None:
        entry = self.counts.setdefault(category, {"action": action, "rows": 0})
        entry["rows"] = int(entry["rows"]) + rows  # type: ignore[call-overload]

    def rows(self, category: str) -> int:
        return int(self.counts.get(category, {}).get("rows", 0))  # type: ignore[call-overload]


def retention_policy_install_default(*, tenant: Tenant) -> RetentionPolicy:
    """Give ``tenant`` the default policy unless it has one."""
    policy, _created = RetentionPolicy.objects.get_or_create(tenant=tenant)
    return policy


# --- what belongs to a chain ---------------------------------------------------


class _ChainRows:
    """The rows of a chain's cases, per model, as querysets."""

    def __init__(self, case_ids: list[int]) -> None:
        self.case_ids = case_ids

    @cached_property
    def documents(self) -> QuerySet[Document]:
        return Document.objects.filter(case_id__in=self.case_ids)

    @cached_property
    def signatures(self) -> QuerySet[Signature]:
        return Signature.objects.filter(document__case_id__in=self.case_ids)

    @cached_property
    def invitations(self) -> QuerySet[Invitation]:
        return Invitation.objects.filter(case_id__in=self.case_ids)

    @cached_property
    def responses(self) -> QuerySet[Response]:
        return Response.objects.filter(invitation__case_id__in=self.case_ids)

    def medical(self) -> list[QuerySet]:
        return [
            ConsultMedical.objects.filter(consult__case_id__in=self.case_ids),
            ProbleemanalyseMedical.objects.filter(
                probleemanalyse__case_id__in=self.case_ids
            ),
            ResponseMedical.objects.filter(
                response__invitation__case_id__in=self.case_ids
            ),
        ]

    def audit_events(self) -> QuerySet[AuditEvent]:
        """Events on the cases and on everything of them, found by object;
        events on rows deleted earlier are found by the case id in their
        data."""
        refs: list[tuple[str, Iterable[int]]] = [
            ("cases.absencecase", self.case_ids),
            ("cases.contactnote", _ids(ContactNote, self.case_ids)),
            ("cases.intervention", _ids(Intervention, self.case_ids)),
            ("cases.workabilitychange", _ids(WorkabilityChange, self.case_ids)),
            ("poortwachter.task", _ids(Task, self.case_ids)),
            ("poortwachter.appointment", _ids(Appointment, self.case_ids)),
            ("poortwachter.probleemanalyse", _ids(Probleemanalyse, self.case_ids)),
            ("poortwachter.fml", _ids(Fml, self.case_ids)),
            ("poortwachter.consult", _ids(Consult, self.case_ids)),
            ("documents.document", self.documents.values_list("pk", flat=True)),
            ("documents.signature", self.signatures.values_list("pk", flat=True)),
            ("triage.invitation", self.invitations.values_list("pk", flat=True)),
            ("triage.response", self.responses.values_list("pk", flat=True)),
            ("triage.routingdecision", _ids(RoutingDecision, self.case_ids)),
        ]
        match = Q(data__case_id__in=self.case_ids)
        for object_type, ids in refs:
            match |= Q(object_type=object_type, object_id__in=list(ids))
        return AuditEvent.objects.filter(match).exclude(
            action__in=RETENTION_AUDIT_ACTIONS
        )

    def notifications(self) -> QuerySet[NotificationSent]:
        """Which mail went to whom about these cases (``key`` names them)."""
        keys = Q(key__in=[f"ziekmelding:{pk}" for pk in self.case_ids]) | Q(
            key__in=[
                f"signature_request:{pk}"
                for pk in self.documents.values_list("pk", flat=True)
            ]
        )
        for pk in _ids(Appointment, self.case_ids):
            keys |= Q(key__startswith=f"appointment:{pk}:")
        return NotificationSent.objects.filter(keys)

    def folders(self, tenant_id: int) -> list[str]:
        """Where the cases' PDFs, scans, re-integratieverslagen and UWV
        packages are stored (``documents.models``, ``integrations.uwv``)."""
        return [
            folder
            for pk in self.case_ids
            for folder in (f"documents/{tenant_id}/{pk}/", f"uwv/{tenant_id}/{pk}/")
        ]


def _ids(model: type, case_ids: list[int]) -> list[int]:
    return list(model.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))


def _files_under(storage: Storage, folder: str) -> list[str]:
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{folder}{name}" for name in files]
    for name in dirs:
        names.extend(_files_under(storage, f"{folder}{name}/"))
    return names


def _count_or(qs: QuerySet, dry_run: bool, write: Callable[[QuerySet], int]) -> int:
    return qs.count() if dry_run else write(qs)


def _delete(qs: QuerySet) -> int:
    count = qs.count()
    qs.delete()
    return count


# --- one category of a chain ---------------------------------------------------


def _case_data(rows: _ChainRows, action: str, dry_run: bool) -> int:
    cases = AbsenceCase.objects.filter(pk__in=rows.case_ids)
    if dry_run:
        return cases.count()
    cases.update(agreements="", reachable_phone="", reachable_address="")
    Intervention.objects.filter(case_id__in=rows.case_ids).update(notes="", provider="")
    tasks = Task.objects.filter(case_id__in=rows.case_ids)
    tasks.update(note="", snooze_reason="")
    tasks.filter(source=TaskSource.MANUAL).update(title=MANUAL_TASK_TITLE)
    Appointment.objects.filter(case_id__in=rows.case_ids).update(
        location="", video_url=""
    )
    Probleemanalyse.objects.filter(case_id__in=rows.case_ids).update(
        limitations="", prognosis="", advice=""
    )
    Fml.objects.filter(case_id__in=rows.case_ids).update(entries={}, remarks="")
    CaseTimeline.objects.filter(case_id__in=rows.case_ids).update(error="")
    # Access to a closed case past its period is nobody's business any more.
    AbsenceCaseUserObjectPermission.objects.filter(
        content_object_id__in=rows.case_ids
    ).delete()
    rows.notifications().delete()
    return len(rows.case_ids)


def _contact_notes(rows: _ChainRows, action: str, dry_run: bool) -> int:
    notes = ContactNote.objects.filter(case_id__in=rows.case_ids)
    if action == RetentionAction.DELETE:
        return _count_or(notes, dry_run, _delete)
    # The date and channel stay: how often there was contact is a statistic.
    return _count_or(notes, dry_run, lambda qs: qs.update(summary="", with_whom=""))


def _documents(rows: _ChainRows, action: str, dry_run: bool) -> int:
    if dry_run:
        return rows.documents.count()
    _delete(rows.signatures)
    return _delete(rows.documents)


def _document_files(rows: _ChainRows, tenant_id: int) -> list[str]:
    storage = document_storage()
    names = {
        name
        for name in [
            *rows.documents.exclude(pdf="").values_list("pdf", flat=True),
            *rows.signatures.exclude(scan="").values_list("scan", flat=True),
        ]
    }
    for folder in rows.folders(tenant_id):
        names.update(_files_under(storage, folder))
    return sorted(name for name in names if storage.exists(name))


def _triage(rows: _ChainRows, action: str, dry_run: bool) -> int:
    decisions = RoutingDecision.objects.filter(case_id__in=rows.case_ids)
    if action == RetentionAction.DELETE:
        # Medical answers kept longer (a longer medical period) keep their
        # response row, emptied, until the medical period passes.
        with_medical = rows.invitations.filter(response__medical__isnull=False)
        deletable = rows.invitations.exclude(pk__in=with_medical.values("pk"))
        if dry_run:
            return rows.responses.count()
        count = Response.objects.filter(invitation__in=deletable).count()
        deletable.delete()
        return count + _triage_blank(rows, decisions)
    if dry_run:
        return rows.responses.count()
    return _triage_blank(rows, decisions)


def _triage_blank(rows: _ChainRows, decisions: QuerySet[RoutingDecision]) -> int:
    # The route decided stays on the case; why (the answers behind it, the
    # regiehouder's words) goes. An overridden proposal must keep a reason.
    decisions.update(reasons=[], proposed_interventions=[], interventions=[])
    decisions.filter(outcome="overridden").update(reason="-")
    decisions.exclude(outcome="overridden").update(reason="")
    return rows.responses.update(answers={}, sections_done=[])


def _medical(rows: _ChainRows, action: str, dry_run: bool) -> int:
    return sum(_count_or(qs, dry_run, _delete) for qs in rows.medical())


def _audit(rows: _ChainRows, action: str, dry_run: bool) -> int:
    events = rows.audit_events()
    if action == RetentionAction.DELETE:
        return _count_or(events, dry_run, _delete)
    # Who did what when stays (accountability); what it was about goes.
    return _count_or(events.exclude(data={}), dry_run, lambda qs: qs.update(data={}))


_PROCESSORS: dict[str, Callable[[_ChainRows, str, bool], int]] = {
    # The audit trail first: it finds events through the rows that the other
    # categories may delete.
    RetentionCategory.AUDIT: _audit,
    # Medical answers before the questionnaires: deleting them frees their
    # response rows for deletion too.
    RetentionCategory.MEDICAL: _medical,
    RetentionCategory.CONTACT_NOTES: _contact_notes,
    RetentionCategory.DOCUMENTS: _documents,
    RetentionCategory.TRIAGE: _triage,
    # Last: deleting the chain needs the rows above gone first.
    RetentionCategory.CASE_DATA: _case_data,
}


# --- a whole chain ------------------------------------------------------------------


def _due_categories(
    chain: selectors.Chain, policy: RetentionPolicy, today: dt.date
) -> list[str]:
    if chain.end is None:
        return []
    due = [
        category
        for category in CASE_CATEGORIES
        if chain.unmarked(category)
        and chain.end
        <= selectors.months_before(
            today,
            policy.months_for(category, eigenrisicodrager=chain.eigenrisicodrager),
        )
    ]
    medical_pending = RetentionCategory.MEDICAL not in due and chain.unmarked(
        RetentionCategory.MEDICAL
    )
    if (
        policy.action_for(RetentionCategory.CASE_DATA) == RetentionAction.DELETE
        and medical_pending
        and RetentionCategory.CASE_DATA in due
    ):
        # Deleting the case would delete a medical file kept longer (WGBO):
        # the case waits for its medical period.
        due.remove(RetentionCategory.CASE_DATA)
    return due


def _chain_deletes(policy: RetentionPolicy, due: Iterable[str]) -> bool:
    """Whether whole chains go: their case data is due for deletion (and, by
    ``_due_categories``, their medical period has passed as well)."""
    return (
        RetentionCategory.CASE_DATA in due
        and policy.action_for(RetentionCategory.CASE_DATA) == RetentionAction.DELETE
    )


def _chains_process(
    *,
    chains: list[selectors.Chain],
    due: list[str],
    policy: RetentionPolicy,
    report: RetentionReport,
    actor: User | None,
) -> None:
    """Anonymise or delete the ``due`` categories of ``chains`` (all due for
    the same ones) in one transaction, set-based; a chain of which a case
    was reopened meanwhile is left out."""
    tenant_id = policy.tenant_id
    delete_all = _chain_deletes(policy, due)
    if delete_all:
        due = list(CASE_CATEGORIES)
    if report.dry_run:
        case_ids = [pk for chain in chains for pk in chain.case_ids]
        rows = _ChainRows(case_ids)
        for category in due:
            action = (
                RetentionAction.DELETE
                if delete_all and category != RetentionCategory.AUDIT
                else policy.action_for(category)
            )
            report.add(category, action, _PROCESSORS[category](rows, action, True))
            if category == RetentionCategory.DOCUMENTS:
                report.files += len(_document_files(rows, tenant_id))
        report.cases += len(case_ids)
        if delete_all:
            report.planned_deletions.update(case_ids)
        report.planned.update((pk, c) for pk in case_ids for c in due)
        return
    with transaction.atomic():
        locked = {
            case.pk: case
            for case in AbsenceCase.objects.select_for_update()
            .filter(pk__in=[pk for chain in chains for pk in chain.case_ids])
            .order_by("pk")
        }
        chains = [
            chain
            for chain in chains
            if all(
                pk in locked and locked[pk].status != CaseStatus.OPEN
                for pk in chain.case_ids
            )
        ]
        case_ids = [pk for chain in chains for pk in chain.case_ids]
        done = set(
            RetentionMark.objects.filter(case_id__in=case_ids).values_list(
                "case_id", "category"
            )
        )
        due = [c for c in due if any((pk, c) not in done for pk in case_ids)]
        if not due:
            return
        rows = _ChainRows(case_ids)
        if RetentionCategory.DOCUMENTS in due or delete_all:
            files = _document_files(rows, tenant_id)
        else:
            files = []
        for category in _PROCESSORS:
            if category not in due:
                continue
            action = policy.action_for(category)
            if delete_all and category != RetentionCategory.AUDIT:
                action = RetentionAction.DELETE
            if delete_all and category == RetentionCategory.CASE_DATA:
                rows_done = _chain_delete(rows)
            else:
                rows_done = _PROCESSORS[category](rows, action, False)
            report.add(category, action, rows_done)
        # Files go inside the transaction: should it roll back, the next run
        # redoes the rows, and a personal file never outlives its period.
        storage = document_storage()
        for name in files:
            storage.delete(name)
        report.files += len(files)
        report.cases += len(case_ids)
        for chain in chains:
            for pk in chain.case_ids:
                audit_event_record(
                    actor=actor,
                    action="retention_case_delete"
                    if delete_all
                    else "retention_case_anonymise",
                    obj=locked[pk],
                    data={
                        "run": report.run.pk if report.run else None,
                        "categories": sorted(due),
                        "chain": chain.case_ids,
                    },
                )
        if not delete_all:
            RetentionMark.objects.bulk_create(
                [
                    RetentionMark(
                        tenant_id=tenant_id,
                        case_id=pk,
                        category=category,
                        run=report.run,
                    )
                    for pk in case_ids
                    for category in due
                ],
                ignore_conflicts=True,
            )


def _chain_delete(rows: _ChainRows) -> int:
    """Delete the chains' cases and everything on them (the rest cascades)."""
    rows.notifications().delete()
    for model in (Appointment, Fml):
        model.objects.filter(case_id__in=rows.case_ids).delete()
    Consult.objects.filter(case_id__in=rows.case_ids).delete()
    Probleemanalyse.objects.filter(case_id__in=rows.case_ids).delete()
    rows.signatures.delete()
    rows.documents.delete()
    cases = AbsenceCase.objects.filter(pk__in=rows.case_ids)
    # Relapses point at their previous case (PROTECT): unlink, then delete.
    cases.update(previous_case=None)
    count = cases.count()
    cases.delete()
    return count


# --- employees -----------------------------------------------------------------------


def _employees_due(
    *,
    employees: list[Employee],
    policy: RetentionPolicy,
    today: dt.date,
    report: RetentionReport,
) -> list[Employee]:
    """Those of ``employees`` out of service past the period, with every case
    closed, anonymised (or gone) and past the period too, and no medical
    data left that still needs to know whose it is. A fixed number of
    queries."""
    ids = [employee.pk for employee in employees]
    cases: dict[int, list[tuple[int, dt.date | None, str]]] = defaultdict(list)
    for employee_id, pk, end, status in selectors.case_ends_of_employees(
        employee_ids=ids
    ):
        if pk not in report.planned_deletions:
            cases[employee_id].append((pk, end, status))
    all_case_ids = {pk for rows in cases.values() for pk, _end, _status in rows}
    done = set(
        RetentionMark.objects.filter(case_id__in=all_case_ids).values_list(
            "case_id", "category"
        )
    ) | {mark for mark in report.planned if mark[0] in all_case_ids}
    medical_gone = [
        pk for pk in all_case_ids if (pk, RetentionCategory.MEDICAL) in done
    ]
    with_medical = selectors.employees_with_medical_data(
        employee_ids=ids, except_case_ids=medical_gone
    )
    due = []
    for employee in employees:
        if employee.employment_end is None or employee.pk in with_medical:
            continue
        employer = employee.employer
        erd = employer.eigenrisicodrager_zw or employer.eigenrisicodrager_wga
        cutoff = selectors.months_before(
            today,
            policy.months_for(RetentionCategory.EMPLOYEE, eigenrisicodrager=erd),
        )
        own = cases[employee.pk]
        if any(status == CaseStatus.OPEN or end is None for _pk, end, status in own):
            continue
        last = max([employee.employment_end, *(end for _pk, end, _s in own)])
        if last > cutoff:
            continue
        if any((pk, RetentionCategory.CASE_DATA) not in done for pk, _e, _s in own):
            continue
        due.append(employee)
    return due


def _account_release(*, employee: Employee) -> None:
    """The employee's own login: its werknemer membership in this tenant
    ends; an account left without any membership (in any tenant) is
    anonymised too, as nobody else needs it."""
    user = employee.user
    if user is None:
        return
    if Employee.objects.filter(user=user).exclude(pk=employee.pk).exists():
        return  # the same person's other employment still needs the login
    Membership.objects.filter(user=user, role=Role.WERKNEMER).delete()
    # Deliberately across tenants, bounded by this one account: only whether
    # it still belongs to anyone.
    if User.objects.filter(pk=user.pk, memberships__isnull=False).exists():
        return
    user.email = f"geanonimiseerd-{user.pk}@hervat.invalid"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "is_active", "password"])


def employees_pseudonymise(
    *,
    employees: list[Employee],
    policy: RetentionPolicy,
    report: RetentionReport,
    actor: User | None,
) -> None:
    """Remove everything that names or reaches ``employees``, keeping their
    rows (employer, contract hours, employment dates) for the statistics of
    their cases, or delete a row when the policy says so and nothing refers
    to it. The medical access log keeps pointing at them (NEN 7513). One
    transaction, set-based but for one audit event per employee."""
    if not employees:
        return
    ids = [employee.pk for employee in employees]
    deletable: set[int] = set()
    if policy.action_for(RetentionCategory.EMPLOYEE) == RetentionAction.DELETE:
        deletable = (
            set(ids)
            - set(
                AbsenceCase.objects.filter(employee_id__in=ids)
                .exclude(pk__in=report.planned_deletions)
                .values_list("employee_id", flat=True)
            )
            - set(
                MedicalAccessLog.objects.filter(employee_id__in=ids).values_list(
                    "employee_id", flat=True
                )
            )
        )
    report.employees += len(ids)
    if deletable:
        report.add(RetentionCategory.EMPLOYEE, RetentionAction.DELETE, len(deletable))
    if len(ids) > len(deletable):
        report.add(
            RetentionCategory.EMPLOYEE,
            RetentionAction.ANONYMISE,
            len(ids) - len(deletable),
        )
    if report.dry_run:
        return
    with transaction.atomic():
        locked = list(
            Employee.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("user")
            .order_by("pk")
        )
        emails = [employee.email for employee in locked if employee.email]
        if emails:
            NotificationSent.objects.filter(recipient__in=emails).delete()
        events = AuditEvent.objects.filter(
            object_type="cases.employee", object_id__in=ids
        ).exclude(action__in=RETENTION_AUDIT_ACTIONS)
        if policy.action_for(RetentionCategory.AUDIT) == RetentionAction.DELETE:
            events.delete()
        else:
            events.exclude(data={}).update(data={})
        for employee in locked:
            _account_release(employee=employee)
            audit_event_record(
                actor=actor,
                action="retention_employee_delete"
                if employee.pk in deletable
                else "retention_employee_anonymise",
                obj=employee,
                data={"run": report.run.pk if report.run else None},
            )
        Employee.objects.filter(pk__in=deletable).delete()
        kept = [pk for pk in ids if pk not in deletable]
        Employee.objects.filter(pk__in=kept).update(
            personnel_number=Concat(
                Value("geanonimiseerd-"), Cast("pk", output_field=CharField())
            ),
            initials="",
            first_name="",
            surname_prefix="",
            surname=PSEUDONYM_SURNAME,
            birth_name="",
            date_of_birth=None,
            bsn="",
            email="",
            phone="",
            job_title="",
            job_description="",
            department="",
            manager=None,
            user=None,
            # A vangnet category can tell a pregnancy; the case keeps its own.
            vangnet_category="",
        )
        RetentionMark.objects.bulk_create(
            [
                RetentionMark(
                    tenant_id=policy.tenant_id,
                    employee_id=pk,
                    category=RetentionCategory.EMPLOYEE,
                    run=report.run,
                )
                for pk in kept
            ],
            ignore_conflicts=True,
        )


# --- the run -----------------------------------------------------------------------


def retention_report_start(
    *, tenant: Tenant, today: dt.date, trigger: str, actor: User | None, dry_run: bool
) -> RetentionReport:
    """A report to fill; outside a dry run also its ``RetentionRun`` row."""
    report = RetentionReport(reference_date=today, dry_run=dry_run)
    if not dry_run:
        report.run = RetentionRun.objects.create(
            tenant=tenant, trigger=trigger, reference_date=today, actor=actor
        )
    return report


def retention_report_finish(report: RetentionReport) -> RetentionReport:
    """Store the counts on the report's ``RetentionRun`` (if any)."""
    if report.run is not None:
        run = report.run
        run.cases = report.cases
        run.employees = report.employees
        run.files = report.files
        run.counts = report.counts
        run.complete = report.complete
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "cases",
                "employees",
                "files",
                "counts",
                "complete",
                "finished_at",
            ]
        )
    return report


def retention_run(
    *,
    tenant: Tenant,
    today: dt.date,
    trigger: str = RetentionTrigger.NIGHTLY,
    actor: User | None = None,
    dry_run: bool = False,
    limit: int = RUN_LIMIT,
) -> RetentionReport:
    """Apply the scoped ``tenant``'s retention policy as of ``today``.

    Closed chains whose last case ended a category's period ago have that
    category anonymised or deleted; then employees out of service past their
    period are pseudonymised. Open cases, and chains with an open case, are
    never touched. Works in batches of ``BATCH_SIZE`` chains (one
    transaction each), at most ``limit`` chains and ``limit`` employees per
    run (the report says whether the run was complete). A dry run writes
    nothing and reports what would be done.
    """
    policy = selectors.retention_policy_for(tenant=tenant)
    report = retention_report_start(
        tenant=tenant, today=today, trigger=trigger, actor=actor, dry_run=dry_run
    )
    seen: set[int] = set()
    processed = 0
    after = 0
    while report.complete:
        ids = selectors.retention_case_candidates(
            policy=policy, today=today, after=after, limit=BATCH_SIZE
        )
        if not ids:
            break
        after = ids[-1]
        groups: dict[tuple[str, ...], list[selectors.Chain]] = defaultdict(list)
        for chain in selectors.retention_chains(case_ids=ids):
            if seen.intersection(chain.case_ids) or chain.is_open:
                continue
            seen.update(chain.case_ids)
            due = _due_categories(chain, policy, today)
            if not due:
                continue
            if processed >= limit:
                report.complete = False
                break
            groups[tuple(due)].append(chain)
            processed += 1
        for due_key, chains in groups.items():
            _chains_process(
                chains=chains,
                due=list(due_key),
                policy=policy,
                report=report,
                actor=actor,
            )
    employees_done = 0
    after = 0
    while report.complete:
        ids = selectors.retention_employee_candidates(
            policy=policy, today=today, after=after, limit=BATCH_SIZE
        )
        if not ids:
            break
        after = ids[-1]
        due = _employees_due(
            employees=list(
                Employee.objects.filter(pk__in=ids)
                .select_related("employer")
                .order_by("pk")
            ),
            policy=policy,
            today=today,
            report=report,
        )
        if employees_done + len(due) > limit:
            due = due[: limit - employees_done]
            report.complete = False
        employees_pseudonymise(employees=due, policy=policy, report=report, actor=actor)
        employees_done += len(due)
    logger.info(
        "retention run",
        extra={
            "tenant_id": tenant.pk,
            "dry_run": dry_run,
            "cases": report.cases,
            "employees": report.employees,
        },
    )
    return retention_report_finish(report)


def retention_employee_erase(
    *,
    employee: Employee,
    policy: RetentionPolicy,
    report: RetentionReport,
    actor: User | None,
) -> None:
    """Every category of every closed chain of ``employee`` now, whatever
    its period, then the employee (an erasure request, AVG art. 17)."""
    case_ids = list(
        AbsenceCase.objects.filter(employee=employee).values_list("pk", flat=True)
    )
    for chain in selectors.retention_chains(case_ids=case_ids):
        due = [c for c in CASE_CATEGORIES if chain.unmarked(c)]
        if due and not chain.is_open:
            _chains_process(
                chains=[chain], due=due, policy=policy, report=report, actor=actor
            )
    employees_pseudonymise(
        employees=[employee], policy=policy, report=report, actor=actor
    )
