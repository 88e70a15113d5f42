"""An employee's right to erasure (AVG art. 17), limited by the duties to
keep that the law puts on the employer (art. 17 lid 3 sub b and e)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase, Employee
from core.exceptions import ApplicationError
from privacy import selectors
from privacy.models import RetentionTrigger
from privacy.services.retention import (
    RetentionReport,
    retention_employee_erase,
    retention_report_finish,
    retention_report_start,
)

# The reason for a forced erasure is kept in the audit trail; say why, not who.
REASON_MAX_LENGTH = 500


def employee_erase(
    *,
    actor: User | None,
    employee: Employee,
    today: dt.date,
    force: bool = False,
    reason: str = "",
    dry_run: bool = False,
) -> RetentionReport:
    """Anonymise ``employee`` and all their (closed) cases now, as the
    tenant's policy says (anonymise or delete per category), whatever the
    periods.

    Refused while a case is open: the Poortwachter process still needs it.
    Refused while a legal duty to keep applies (``employee_erase_check``)
    unless ``force`` with a ``reason``, which the audit trail keeps. A dry
    run checks nothing, writes nothing and reports what would be erased.
    """
    tenant = employee.tenant
    policy = selectors.retention_policy_for(tenant=tenant)
    if not dry_run:
        check = selectors.employee_erase_check(
            employee=employee, policy=policy, today=today
        )
        if check.open_case:
            raise ApplicationError(
                _(
                    "%(name)s heeft een open verzuimdossier. Wissen kan pas als "
                    "het dossier is afgesloten: tot dan is de werkgever verplicht "
                    "het te voeren."
                )
                % {"name": employee.display_name},
                field="employee",
            )
        reason = reason.strip()
        if check.duties and not force:
            raise ApplicationError(
                " ".join(
                    [
                        *check.duties,
                        _("Wissen kan dan alleen met 'toch wissen' en een reden."),
                    ]
                ),
                field="force",
            )
        if check.duties and not reason:
            raise ApplicationError(
                _("Geef aan waarom de gegevens toch gewist worden."), field="reason"
            )
        if len(reason) > REASON_MAX_LENGTH:
            raise ApplicationError(
                _("Houd de reden korter dan %(n)s tekens.") % {"n": REASON_MAX_LENGTH},
                field="reason",
            )
        forced = bool(check.duties)
    with transaction.atomic():
        report = retention_report_start(
            tenant=tenant,
            today=today,
            trigger=RetentionTrigger.ERASURE,
            actor=actor,
            dry_run=dry_run,
        )
        cases = AbsenceCase.objects.filter(employee=employee).count()
        if not dry_run:
            audit_event_record(
                actor=actor,
                action="employee_erase",
                obj=employee,
                data={
                    "run": report.run.pk if report.run else None,
                    "cases": cases,
                    "forced": forced,
                    "reason": reason if forced else "",
                },
            )
        retention_employee_erase(
            employee=employee, policy=policy, report=report, actor=actor
        )
        return retention_report_finish(report)
