"""The access policy: the one module that says who may see and do what.

The tenant scope (``accounts.scoping``) decides *which organisation's* rows a
query can reach; this module decides *which rows inside it* a person may see
and what they may do. Roles on ``Membership`` give the defaults (DESIGN.md
§4); django-guardian grants on a single case add to them. Views, selectors
and API classes call these functions and never re-implement them.

Every function works on the tenant of the active scope.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import EMPLOYER_SCOPED_ROLES, Membership, Role, User
from accounts.scoping import current_tenant

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from cases.models import AbsenceCase, Employee, Employer
    from documents.models import Document


class Action(enum.StrEnum):
    VIEW = "view"
    ZIEKMELDING = "ziekmelding"
    HERSTELDMELDING = "hersteldmelding"
    CONTACT_NOTE = "contact_note"
    VIEW_MEDICAL = "view_medical"
    WORK_TASK = "work_task"
    ASSIGN_CASE = "assign_case"
    ASSIGN_TASK = "assign_task"
    INTERVENTION = "intervention"
    DOCUMENT_EDIT = "document_edit"
    DOCUMENT_SIGN_WERKGEVER = "document_sign_werkgever"
    DOCUMENT_SIGN_WERKNEMER = "document_sign_werknemer"
    REINTEGRATIEVERSLAG = "reintegratieverslag"
    QUESTIONNAIRE = "questionnaire"
    ROUTE_DECIDE = "route_decide"
    ROUTE_PROPOSAL = "route_proposal"
    EMPLOYEE_WRITE = "employee_write"
    APPOINTMENT_PLAN = "appointment_plan"
    STATISTICS = "statistics"


# guardian permission codename that grants one case to one person
CASE_VIEW_PERMISSION = "view_absencecase"

# Roles that run cases: they work and hand out anyone's tasks on their cases.
_CASE_RUNNING_ROLES = frozenset({Role.REGIEHOUDER, Role.CASEMANAGER})

# Roles that read the routing proposal after triage and why it was made:
# whoever decides on it, and the bedrijfsarts. Managers, HR and the employee
# see only the route decided.
_ROUTE_PROPOSAL_ROLES = _CASE_RUNNING_ROLES | {Role.BEDRIJFSARTS}

# Roles that sign Poortwachter documents for the employers on their membership.
_EMPLOYER_SIGNING_ROLES = frozenset({Role.HR, Role.REGIEHOUDER, Role.CASEMANAGER})

# Roles that plan appointments on a case (with calendar invitations): whoever
# runs it, and the bedrijfsarts, who plans only their own spreekuur.
_APPOINTMENT_ROLES = _CASE_RUNNING_ROLES | {Role.BEDRIJFSARTS}

# Roles that report sickness and recovery for the employees they can see.
_REPORTING_ROLES = frozenset(
    {Role.LEIDINGGEVENDE, Role.HR, Role.REGIEHOUDER, Role.CASEMANAGER, Role.KOPPELING}
)

# Roles that work any task on the cases they see. An HR or payroll system
# (koppeling) closes tasks it carried out itself, such as passing a
# ziekmelding on to UWV; only the people who run cases hand tasks out.
_TASK_WORKING_ROLES = _CASE_RUNNING_ROLES | {Role.KOPPELING}

# Roles that read the absence figures (statistics) of the employers they
# see: HR (DESIGN.md §1), whoever runs cases, and the tenant admin, who gets
# aggregates only (counts and percentages, never a named case: the list of
# cases at risk is filtered through ``cases_visible_to``, empty for them).
_STATISTICS_ROLES = frozenset(
    {Role.HR, Role.REGIEHOUDER, Role.CASEMANAGER, Role.TENANT_ADMIN}
)

# Roles that keep employee master data (the import, the API's upsert).
_EMPLOYEE_WRITING_ROLES = frozenset({Role.TENANT_ADMIN, Role.KOPPELING})


def membership_for(user: User | AnonymousUser) -> Membership | None:
    """The active membership of ``user`` in the scoped tenant, cached on the user."""
    tenant = current_tenant()
    if tenant is None or not user.is_authenticated:
        return None
    cache: dict[int, Membership | None] = user.__dict__.setdefault(
        "_membership_cache", {}
    )
    if tenant.pk not in cache:
        cache[tenant.pk] = (
            Membership.objects.filter(user=user, is_active=True)
            .select_related("tenant")
            .first()
        )
    return cache[tenant.pk]


def is_privacy_officer(user: User | AnonymousUser) -> bool:
    """A tenant administrator flagged as privacy officer: reads the medical
    access log and the audit trail of cases, and exports them for one
    employee (AVG art. 15). The flag alone, on any other role, gives nothing
    (a database constraint forbids it there anyway)."""
    membership = membership_for(user)
    return bool(
        membership is not None
        and membership.role == Role.TENANT_ADMIN
        and membership.privacy_officer
    )


def _employer_q(membership: Membership, path: str) -> Q:
    """Rows under the employers ``membership`` covers; ``path`` leads from the
    row to its employer id (``"employer"``, ``"employee__employer"``).

    A koppeling (API key) covers either the employers on its membership or,
    with ``all_employers``, every employer of the tenant.
    """
    if membership.role == Role.KOPPELING and membership.all_employers:
        # Not an empty Q(): combined with "|" that would match nothing extra.
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__in": membership.employers.all()})


def _granted_case_ids(user: User) -> QuerySet:
    from cases.models import AbsenceCaseUserObjectPermission

    return AbsenceCaseUserObjectPermission.objects.filter(
        user=user, permission__codename=CASE_VIEW_PERMISSION
    ).values("content_object_id")


def employers_visible_to(user: User | AnonymousUser) -> QuerySet[Employer]:
    """Employers whose data the user may open (master data, lists)."""
    from cases.models import Employer

    membership = membership_for(user)
    if membership is None:
        return Employer.objects.none()
    if membership.role == Role.TENANT_ADMIN:
        return Employer.objects.all()
    if membership.role in EMPLOYER_SCOPED_ROLES or membership.role == Role.KOPPELING:
        return Employer.objects.filter(_employer_q(membership, "pk"))
    return Employer.objects.filter(
        Exists(employees_visible_to(user).filter(employer=OuterRef("pk")))
    )


def reads_statistics(user: User | AnonymousUser) -> bool:
    """Whether ``user``'s role reads absence figures at all (the statistics
    pages and their link in the menu)."""
    membership = membership_for(user)
    return membership is not None and membership.role in _STATISTICS_ROLES


def employers_with_statistics_for(user: User | AnonymousUser) -> QuerySet[Employer]:
    """Employers whose absence figures ``user`` may open (the rule of
    ``can(user, Action.STATISTICS, employer)`` as a filter)."""
    if not reads_statistics(user):
        return employers_visible_to(user).none()
    return employers_visible_to(user)


def employees_visible_to(user: User | AnonymousUser) -> QuerySet[Employee]:
    """Employees whose master data the user may see.

    werknemer: self; leidinggevende: own team; hr, regiehouder, casemanager:
    employees of the employers on the membership; bedrijfsarts: employees of
    assigned cases; tenant_admin: all (to manage master data, not cases);
    koppeling: the employers of its API key.
    A guardian grant on a case adds its employee.
    """
    from cases.models import AbsenceCase, Employee

    membership = membership_for(user)
    if membership is None:
        return Employee.objects.none()
    role = membership.role
    if role == Role.TENANT_ADMIN:
        return Employee.objects.all()
    if role == Role.WERKNEMER:
        by_role = Q(user=user)
    elif role == Role.LEIDINGGEVENDE:
        by_role = Q(manager=user)
    elif role in EMPLOYER_SCOPED_ROLES or role == Role.KOPPELING:
        by_role = _employer_q(membership, "employer")
    elif role == Role.BEDRIJFSARTS:
        by_role = Q(
            Exists(
                AbsenceCase.objects.filter(employee=OuterRef("pk"), bedrijfsarts=user)
            )
        )
    else:  # pragma: no cover - a new role must be added here deliberately
        return Employee.objects.none()
    granted = Q(
        Exists(
            AbsenceCase.objects.filter(
                employee=OuterRef("pk"), pk__in=_granted_case_ids(user)
            )
        )
    )
    return Employee.objects.filter(by_role | granted)


def employees_reportable_by(user: User | AnonymousUser) -> QuerySet[Employee]:
    """Employees ``user`` may report sick now: visible to a reporting role, in
    employment, without an open case."""
    from cases.models import CaseStatus

    membership = membership_for(user)
    if membership is None or membership.role not in _REPORTING_ROLES:
        return employees_visible_to(user).none()
    return employees_visible_to(user).exclude(cases__status=CaseStatus.OPEN)


def cases_visible_to(user: User | AnonymousUser) -> QuerySet[AbsenceCase]:
    """Absence cases the user may open.

    werknemer: own; leidinggevende: own team; hr, regiehouder, casemanager:
    the employers on the membership; bedrijfsarts: cases assigned to them;
    koppeling: the employers of its API key; tenant_admin: none. A guardian
    grant adds exactly that case.
    """
    from cases.models import AbsenceCase

    membership = membership_for(user)
    if membership is None:
        return AbsenceCase.objects.none()
    role = membership.role
    if role == Role.WERKNEMER:
        by_role = Q(employee__user=user)
    elif role == Role.LEIDINGGEVENDE:
        by_role = Q(employee__manager=user)
    elif role in EMPLOYER_SCOPED_ROLES or role == Role.KOPPELING:
        by_role = _employer_q(membership, "employee__employer")
    elif role == Role.BEDRIJFSARTS:
        by_role = Q(bedrijfsarts=user)
    else:
        by_role = Q(pk__in=[])
    return AbsenceCase.objects.filter(by_role | Q(pk__in=_granted_case_ids(user)))


def runs_cases(user: User | AnonymousUser) -> bool:
    """Whether ``user`` runs cases in the scoped tenant (regiehouder,
    casemanager): the people who work every task and send questionnaires on
    the cases they see."""
    membership = membership_for(user)
    return membership is not None and membership.role in _CASE_RUNNING_ROLES


# The early signals (``triage.early_signals.SignalKind``) each role sees on
# the cases it can open. They are non-medical. A manager sees the ones that
# ask something of them (the frequent-absence conversation, keeping in touch,
# their own weekly contact), not whether the employee answered a
# questionnaire: following that up is the casemanager's work, and an employer
# must not press for answers that are partly medical. The employee and the
# tenant admin see none.
_ALL_SIGNAL_KINDS = frozenset(
    {"frequent_absence", "no_contact", "manager_contact", "questionnaire"}
)
_SIGNAL_KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.REGIEHOUDER: _ALL_SIGNAL_KINDS,
    Role.CASEMANAGER: _ALL_SIGNAL_KINDS,
    Role.HR: _ALL_SIGNAL_KINDS,
    Role.BEDRIJFSARTS: _ALL_SIGNAL_KINDS,
    Role.LEIDINGGEVENDE: frozenset(
        {"frequent_absence", "no_contact", "manager_contact"}
    ),
}


def signal_kinds_visible_to(user: User | AnonymousUser) -> frozenset[str]:
    """The kinds of early signal ``user`` sees on the cases they can open
    (``cases_visible_to``); empty for roles that see none."""
    membership = membership_for(user)
    if membership is None:
        return frozenset()
    return _SIGNAL_KINDS_BY_ROLE.get(membership.role, frozenset())


def tasks_workable_by(user: User | AnonymousUser, tasks: QuerySet) -> QuerySet:
    """The tasks in ``tasks`` that ``user`` may work (the rule of
    ``can(user, Action.WORK_TASK, task)`` as a filter): all tasks on visible
    cases for whoever runs cases, otherwise the user's own."""
    membership = membership_for(user)
    if membership is None:
        return tasks.none()
    tasks = tasks.filter(case__in=cases_visible_to(user))
    if membership.role in _TASK_WORKING_ROLES:
        return tasks
    return tasks.filter(assignee=user)


def document_signers(document: Document, action: Action) -> QuerySet[User]:
    """The users who may sign ``document`` under ``action``
    (``DOCUMENT_SIGN_WERKGEVER`` or ``DOCUMENT_SIGN_WERKNEMER``): the rule of
    ``can(user, action, document)`` as a query, to tell them a document waits
    for their signature. Employer side: HR, regiehouder and casemanager with
    the case's employer on their membership; employee side: the employee's
    own account with a werknemer membership."""
    case = document.case
    members = {
        "memberships__tenant_id": document.tenant_id,
        "memberships__is_active": True,
    }
    users = User.objects.filter(is_active=True)
    if action == Action.DOCUMENT_SIGN_WERKGEVER:
        return users.filter(
            **members,
            memberships__role__in=_EMPLOYER_SIGNING_ROLES,
            memberships__employers=case.employee.employer_id,
        ).distinct()
    if action == Action.DOCUMENT_SIGN_WERKNEMER and case.employee.user_id:
        return users.filter(
            **members,
            memberships__role=Role.WERKNEMER,
            pk=case.employee.user_id,
        ).distinct()
    return users.none()


def can(user: User | AnonymousUser, action: Action, obj: Model) -> bool:
    """Whether ``user`` may do ``action`` on ``obj`` (employer, employee, case,
    task, document).

    Seeing an object is the precondition of every action on it; what else is
    allowed follows from the role. Medical data is only for the bedrijfsarts
    and a casemanager in taakdelegatie, and never for a guardian grant alone.
    A task is worked by its assignee or by whoever runs cases (regiehouder,
    casemanager); only the latter hand tasks to someone else. Documents are
    seen by whoever sees their case, drafted by whoever runs cases, signed
    for the employer by HR, regiehouder or casemanager, and for the employee
    only by the employee's own account. The routing proposal after triage is
    decided by whoever runs cases and read by them and the bedrijfsarts.
    Employee master data is written by the tenant admin and by a koppeling
    (an HR or payroll system), which also reports sickness and recovery and
    closes tasks, and never sees medical data.
    Appointments (with calendar invitations) are planned by whoever runs
    cases, and a spreekuur also by the bedrijfsarts. The absence figures of
    an employer (statistics, aggregates only) are read by HR, whoever runs
    cases and the tenant admin.
    """
    from cases.models import AbsenceCase, Employee, Employer
    from documents.models import Document
    from poortwachter.models import Appointment, AppointmentKind, Task

    membership = membership_for(user)
    if membership is None:
        return False
    if isinstance(obj, Document):
        if not cases_visible_to(user).filter(pk=obj.case_id).exists():
            return False
        if action == Action.VIEW:
            return True
        if action == Action.DOCUMENT_EDIT:
            return membership.role in _CASE_RUNNING_ROLES
        if action == Action.DOCUMENT_SIGN_WERKGEVER:
            # Signing binds the employer: only for an employer on the
            # membership, never through a grant on one case.
            return (
                membership.role in _EMPLOYER_SIGNING_ROLES
                and membership.employers.filter(
                    pk=obj.case.employee.employer_id
                ).exists()
            )
        if action == Action.DOCUMENT_SIGN_WERKNEMER:
            return (
                membership.role == Role.WERKNEMER
                and obj.case.employee.user_id == user.pk
            )
        return False
    if isinstance(obj, Task):
        if not cases_visible_to(user).filter(pk=obj.case_id).exists():
            return False
        if action == Action.WORK_TASK:
            return membership.role in _TASK_WORKING_ROLES or obj.assignee_id == user.pk
        return action == Action.ASSIGN_TASK and membership.role in _CASE_RUNNING_ROLES
    if isinstance(obj, Appointment):
        if not cases_visible_to(user).filter(pk=obj.case_id).exists():
            return False
        if action == Action.VIEW:
            return True
        return action == Action.APPOINTMENT_PLAN and (
            membership.role in _CASE_RUNNING_ROLES
            or (
                membership.role in _APPOINTMENT_ROLES
                and obj.kind == AppointmentKind.SPREEKUUR
            )
        )
    if isinstance(obj, AbsenceCase):
        visible = cases_visible_to(user).filter(pk=obj.pk).exists()
    elif isinstance(obj, Employee):
        visible = employees_visible_to(user).filter(pk=obj.pk).exists()
    elif isinstance(obj, Employer):
        visible = employers_visible_to(user).filter(pk=obj.pk).exists()
    else:
        return False
    if not visible:
        return False
    if action == Action.VIEW:
        return True
    if action == Action.STATISTICS:
        return membership.role in _STATISTICS_ROLES and isinstance(obj, Employer)
    if action == Action.EMPLOYEE_WRITE:
        return membership.role in _EMPLOYEE_WRITING_ROLES and isinstance(obj, Employer)
    if action in (Action.ZIEKMELDING, Action.HERSTELDMELDING):
        return membership.role in _REPORTING_ROLES and isinstance(
            obj, (Employee, AbsenceCase)
        )
    if action == Action.CONTACT_NOTE:
        return membership.role in _REPORTING_ROLES and isinstance(obj, AbsenceCase)
    if action == Action.VIEW_MEDICAL:
        return membership.may_see_medical and isinstance(obj, AbsenceCase)
    if action in (
        Action.ASSIGN_CASE,
        Action.INTERVENTION,
        Action.DOCUMENT_EDIT,
        Action.QUESTIONNAIRE,
    ):
        return membership.role in _CASE_RUNNING_ROLES and isinstance(obj, AbsenceCase)
    if action == Action.ROUTE_DECIDE:
        # The triage decision (route, early consult, interventions) is part
        # of running the case (DESIGN.md §1: the regiehouder's job).
        return membership.role in _CASE_RUNNING_ROLES and isinstance(obj, AbsenceCase)
    if action == Action.ROUTE_PROPOSAL:
        return membership.role in _ROUTE_PROPOSAL_ROLES and isinstance(obj, AbsenceCase)
    if action == Action.APPOINTMENT_PLAN:
        # Whether any kind may be planned; per kind, ask with an Appointment.
        return membership.role in _APPOINTMENT_ROLES and isinstance(obj, AbsenceCase)
    if action == Action.REINTEGRATIEVERSLAG:
        # HR hands the employee the re-integratieverslag; the people who run
        # the case prepare it.
        return membership.role in _EMPLOYER_SIGNING_ROLES and isinstance(
            obj, AbsenceCase
        )
    return False
