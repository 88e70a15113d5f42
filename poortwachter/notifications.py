"""E-mail about tasks: the morning digest and overdue warnings.

Mails carry task titles, employee names and dates only: never medical data.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.mail import send_templated_mail
from poortwachter.models import Task
from poortwachter.selectors import tasks_due_by


def _send(
    user: User, subject: Promise, count: int, template_base: str, context: dict
) -> None:
    send_templated_mail(
        to=[user.email],
        language=user.preferred_language,
        subject=subject,
        subject_params={"count": count},
        template_base=template_base,
        context={**context, "user": user},
    )


def tasks_send_digest(*, today: dt.date) -> int:
    """One e-mail per assignee with today's and overdue open tasks; returns mails."""
    sent = 0
    for _assignee_id, group in groupby(
        tasks_due_by(day=today), key=lambda t: t.assignee_id
    ):
        tasks = list(group)
        _send(
            tasks[0].assignee,
            _("Hervat: %(count)d taken voor vandaag"),
            len(tasks),
            "poortwachter/email/digest",
            {
                "overdue": [t for t in tasks if t.due_date < today],
                "today": [t for t in tasks if t.due_date == today],
            },
        )
        sent += 1
    return sent


def tasks_notify_overdue(*, today: dt.date) -> int:
    """Warn each assignee once about tasks that became overdue; returns mails.

    ``overdue_notified_at`` makes the sweep idempotent: a second run sends
    nothing new.
    """
    fresh = tasks_due_by(day=today - dt.timedelta(days=1)).filter(
        overdue_notified_at__isnull=True
    )
    sent = 0
    for _assignee_id, group in groupby(fresh, key=lambda t: t.assignee_id):
        tasks = list(group)
        _send(
            tasks[0].assignee,
            _("Hervat: %(count)d taken zijn verlopen"),
            len(tasks),
            "poortwachter/email/overdue",
            {"tasks": tasks},
        )
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
            overdue_notified_at=timezone.now()
        )
        sent += 1
    return sent
