"""E-mail about tasks: the morning digest and overdue warnings.

Mails carry task titles, employee names and dates only: never medical data.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from poortwachter.models import Task
from poortwachter.selectors import tasks_due_by


def _send(user: User, subject: str, template: str, context: dict) -> None:
    with translation.override(user.preferred_language):
        body = render_to_string(template, {**context, "user": user})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def tasks_send_digest(*, today: dt.date) -> int:
    """One e-mail per assignee with today's and overdue open tasks; returns mails."""
    sent = 0
    for _assignee_id, group in groupby(
        tasks_due_by(day=today), key=lambda t: t.assignee_id
    ):
        tasks = list(group)
        user = tasks[0].assignee
        with translation.override(user.preferred_language):
            subject = _("Hervat: %(count)d taken voor vandaag") % {"count": len(tasks)}
        _send(
            user,
            subject,
            "poortwachter/email/digest.txt",
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
        user = tasks[0].assignee
        with translation.override(user.preferred_language):
            subject = _("Hervat: %(count)d taken zijn verlopen") % {"count": len(tasks)}
        _send(user, subject, "poortwachter/email/overdue.txt", {"tasks": tasks})
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
            overdue_notified_at=timezone.now()
        )
        sent += 1
    return sent
