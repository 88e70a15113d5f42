"""Early signals on open cases ("signalen"): frequent absence, no contact,
the manager's weekly contact missed, a questionnaire not answered.

A signal is computed when it is read, never stored, from non-medical facts
only: the dates of ziekmeldingen, contact notes and invitations (never an
answer or the text of a note). Whatever the number of cases, a fixed number
of queries: the facts are SQL annotations on the cases plus one query for the
invitations. The thresholds are the tenant's ``SignalPolicy``.

A threshold is reached *at* its value: 3 reports with a threshold of 3, 14
days without contact with a threshold of 14, 72 hours after sending with a
threshold of 72.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from accounts.access import cases_visible_to, signal_kinds_visible_to
from accounts.models import Tenant, User
from cases.models import AbsenceCase, CaseStatus, ContactNote
from triage.models import Invitation, InvitationStatus, SignalPolicy

DATE_FORMAT = "%d-%m-%Y"
_UNANSWERED = (InvitationStatus.SENT, InvitationStatus.STARTED)


class SignalKind(models.TextChoices):
    FREQUENT_ABSENCE = "frequent_absence", gettext_lazy("Frequent verzuim")
    NO_CONTACT = "no_contact", gettext_lazy("Geen contact")
    MANAGER_CONTACT = "manager_contact", gettext_lazy("Contact leidinggevende")
    QUESTIONNAIRE = "questionnaire", gettext_lazy("Vragenlijst niet ingevuld")


class Severity(enum.IntEnum):
    """Higher is more pressing; the queue lists the most severe first."""

    ATTENTION = 1
    URGENT = 2

    @property
    def label(self) -> str:
        return _("Urgent") if self is Severity.URGENT else _("Aandacht")

    @property
    def css(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class EarlySignal:
    """One signal on one case; ``message`` is rendered in the active
    language when it is read, so a signal can be computed once and shown to
    people who read different languages."""

    kind: SignalKind
    severity: Severity
    started_on: dt.date
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        p = self.params
        if self.kind == SignalKind.FREQUENT_ABSENCE:
            if p["months"] == 1:
                return ngettext(
                    "%(count)d ziekmelding in 1 maand",
                    "%(count)d ziekmeldingen in 1 maand",
                    p["count"],
                ) % {"count": p["count"]}
            return ngettext(
                "%(count)d ziekmelding in %(months)d maanden",
                "%(count)d ziekmeldingen in %(months)d maanden",
                p["count"],
            ) % {"count": p["count"], "months": p["months"]}
        if self.kind == SignalKind.NO_CONTACT:
            values = {"days": p["days"], "date": p["since"].strftime(DATE_FORMAT)}
            if p["from_report"]:
                return (
                    ngettext(
                        "%(days)d dag geen contact sinds de ziekmelding (%(date)s)",
                        "%(days)d dagen geen contact sinds de ziekmelding (%(date)s)",
                        p["days"],
                    )
                    % values
                )
            return (
                ngettext(
                    "%(days)d dag geen contact (laatste: %(date)s)",
                    "%(days)d dagen geen contact (laatste: %(date)s)",
                    p["days"],
                )
                % values
            )
        if self.kind == SignalKind.MANAGER_CONTACT:
            return ngettext(
                "Leidinggevende heeft %(days)d dag geen contact gehad",
                "Leidinggevende heeft %(days)d dagen geen contact gehad",
                p["days"],
            ) % {"days": p["days"]}
        name = _questionnaire_name(p["name"], p["titles"])
        if p["expired"]:
            return _("%(name)s verlopen zonder antwoord (op %(date)s)") % {
                "name": name,
                "date": p["expires_on"].strftime(DATE_FORMAT),
            }
        hours = p["hours"]
        if hours < 48:
            return ngettext(
                "%(name)s na %(hours)d uur niet ingevuld",
                "%(name)s na %(hours)d uur niet ingevuld",
                hours,
            ) % {"name": name, "hours": hours}
        days = hours // 24
        return ngettext(
            "%(name)s na %(days)d dag niet ingevuld",
            "%(name)s na %(days)d dagen niet ingevuld",
            days,
        ) % {"name": name, "days": days}


def _questionnaire_name(name: str, titles: object) -> str:
    """The tenant's name for a questionnaire in Dutch; in another language
    the title of the version in that language when it has one."""
    language = (get_language() or "nl")[:2]
    if language != "nl" and isinstance(titles, dict) and titles.get(language):
        return str(titles[language])
    return name


@dataclass(frozen=True)
class CaseSignals:
    """A case on the signals queue with its signals, most severe first."""

    case: AbsenceCase
    signals: list[EarlySignal]

    @property
    def severity(self) -> Severity:
        return max(s.severity for s in self.signals)

    @property
    def newest_on(self) -> dt.date:
        return max(s.started_on for s in self.signals)


def signal_policy_for(tenant: Tenant) -> SignalPolicy:
    """The tenant's signal thresholds: its row, or an unsaved row with the
    defaults when it has not set any."""
    return SignalPolicy.objects.filter(tenant=tenant).first() or SignalPolicy(
        tenant=tenant
    )


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` moved back ``months`` calendar months (the 31st becomes the
    last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def signals_for_cases(
    *,
    cases: Sequence[AbsenceCase],
    today: dt.date,
    policy: SignalPolicy,
    now: dt.datetime | None = None,
) -> dict[int, list[EarlySignal]]:
    """The early signals of each of ``cases`` by case id (an empty list for a
    case without any, and always for a case that is not open), most severe
    first. Two queries, whatever the number of cases; ``now`` (default: the
    current time) measures the questionnaire's hours."""
    now = now or timezone.now()
    result: dict[int, list[EarlySignal]] = {case.pk: [] for case in cases}
    open_ids = [case.pk for case in cases if case.status == CaseStatus.OPEN]
    if not open_ids:
        return result
    rows = _with_facts(
        AbsenceCase.objects.filter(pk__in=open_ids, status=CaseStatus.OPEN),
        today=today,
        policy=policy,
    )
    invitations = _overdue_invitations(case_ids=open_ids, now=now, policy=policy)
    for row in rows:
        result[row.pk] = _evaluate(
            row,
            invitations=invitations.get(row.pk, []),
            today=today,
            now=now,
            policy=policy,
        )
    return result


def cases_with_signals(
    *, actor: User, today: dt.date, now: dt.datetime | None = None
) -> list[CaseSignals]:
    """Open cases the actor can open (``cases_visible_to``) that have a
    signal of a kind the actor sees, most severe first, then the newest.

    A list ready for a paginator: the thresholds are compared in SQL, so only
    cases with a signal are loaded (with employee and employer), in three
    queries whatever the number of cases.
    """
    from accounts.scoping import current_tenant

    kinds = signal_kinds_visible_to(actor)
    tenant = current_tenant()
    if not kinds or tenant is None:
        return []
    now = now or timezone.now()
    policy = signal_policy_for(tenant)
    candidates = list(
        _with_facts(
            cases_visible_to(actor).filter(status=CaseStatus.OPEN),
            today=today,
            policy=policy,
        )
        .filter(_any_signal(kinds=kinds, today=today, now=now, policy=policy))
        .select_related("employee__employer")
    )
    invitations = (
        _overdue_invitations(
            case_ids=[case.pk for case in candidates], now=now, policy=policy
        )
        if SignalKind.QUESTIONNAIRE in kinds and candidates
        else {}
    )
    listed = []
    for case in candidates:
        signals = [
            signal
            for signal in _evaluate(
                case,
                invitations=invitations.get(case.pk, []),
                today=today,
                now=now,
                policy=policy,
            )
            if signal.kind in kinds
        ]
        if signals:
            listed.append(CaseSignals(case=case, signals=signals))
    listed.sort(key=lambda item: (item.severity, item.newest_on, item.case.pk))
    listed.reverse()
    return listed


def _with_facts(
    cases: models.QuerySet[AbsenceCase], *, today: dt.date, policy: SignalPolicy
) -> models.QuerySet[AbsenceCase]:
    """``cases`` annotated with the facts the signals are made of."""
    count = policy.frequent_absence_count
    reports = AbsenceCase.objects.filter(
        employee=OuterRef("employee"),
        first_sick_day__gt=months_before(today, policy.frequent_absence_months),
        first_sick_day__lte=today,
    )
    notes = ContactNote.objects.filter(case=OuterRef("pk")).order_by(
        "-contact_date", "-pk"
    )
    reported_on = TruncDate("reported_at")
    return cases.annotate(
        signal_reports=Coalesce(
            Subquery(
                reports.order_by()
                .values("employee")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        # the day the count reached the threshold: that report's first sick day
        signal_reports_reached_on=Subquery(
            reports.order_by("first_sick_day", "pk").values("first_sick_day")[
                count - 1 : count
            ]
        ),
        signal_reported_on=reported_on,
        signal_last_contact_on=Subquery(notes.values("contact_date")[:1]),
        signal_contact_since=Coalesce(F("signal_last_contact_on"), reported_on),
        signal_manager_id=F("employee__manager_id"),
        signal_manager_contact_since=Coalesce(
            Subquery(
                notes.filter(author=OuterRef("employee__manager")).values(
                    "contact_date"
                )[:1]
            ),
            reported_on,
        ),
    )


def _any_signal(
    *, kinds: Iterable[str], today: dt.date, now: dt.datetime, policy: SignalPolicy
) -> Q:
    """The SQL twin of ``_evaluate``'s thresholds, to load only cases with a
    signal of one of ``kinds`` (``_evaluate`` still decides what is shown)."""
    conditions = {
        SignalKind.FREQUENT_ABSENCE: Q(
            signal_reports__gte=policy.frequent_absence_count
        ),
        SignalKind.NO_CONTACT: Q(
            signal_contact_since__lte=today - dt.timedelta(days=policy.no_contact_days)
        ),
        SignalKind.MANAGER_CONTACT: Q(
            signal_manager_id__isnull=False,
            signal_manager_contact_since__lte=today
            - dt.timedelta(days=policy.manager_contact_days),
        ),
        SignalKind.QUESTIONNAIRE: Q(
            Exists(
                Invitation.objects.filter(
                    _overdue(now=now, policy=policy), case=OuterRef("pk")
                )
            )
        ),
    }
    combined = Q(pk__in=[])
    for kind in kinds:
        combined |= conditions[SignalKind(kind)]
    return combined


def _overdue(*, now: dt.datetime, policy: SignalPolicy) -> Q:
    return Q(status__in=_UNANSWERED) & (
        Q(sent_at__lte=now - dt.timedelta(hours=policy.questionnaire_hours))
        | Q(expires_at__lte=now)
    )


def _overdue_invitations(
    *, case_ids: list[int], now: dt.datetime, policy: SignalPolicy
) -> dict[int, list[dict[str, Any]]]:
    """Unanswered invitations past the threshold or expired, by case id."""
    by_case: dict[int, list[dict[str, Any]]] = {}
    rows = (
        Invitation.objects.filter(
            _overdue(now=now, policy=policy), case_id__in=case_ids
        )
        .order_by("sent_at", "pk")
        .values(
            "case_id",
            "sent_at",
            "expires_at",
            name=F("version__questionnaire__name"),
            titles=KeyTransform("title", "version__definition"),
        )
    )
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row)
    return by_case


def _evaluate(
    case: AbsenceCase,
    *,
    invitations: list[dict[str, Any]],
    today: dt.date,
    now: dt.datetime,
    policy: SignalPolicy,
) -> list[EarlySignal]:
    """The signals of one case annotated by ``_with_facts``."""
    facts: Any = case
    signals: list[EarlySignal] = []
    if facts.signal_reports >= policy.frequent_absence_count:
        signals.append(
            EarlySignal(
                kind=SignalKind.FREQUENT_ABSENCE,
                severity=Severity.ATTENTION,
                started_on=facts.signal_reports_reached_on,
                params={
                    "count": facts.signal_reports,
                    "months": policy.frequent_absence_months,
                },
            )
        )
    since: dt.date = facts.signal_contact_since
    days = (today - since).days
    if days >= policy.no_contact_days:
        signals.append(
            EarlySignal(
                kind=SignalKind.NO_CONTACT,
                severity=_by_lateness(days, policy.no_contact_days),
                started_on=since + dt.timedelta(days=policy.no_contact_days),
                params={
                    "days": days,
                    "since": since,
                    "from_report": facts.signal_last_contact_on is None,
                },
            )
        )
    since = facts.signal_manager_contact_since
    days = (today - since).days
    if facts.signal_manager_id is not None and days >= policy.manager_contact_days:
        signals.append(
            EarlySignal(
                kind=SignalKind.MANAGER_CONTACT,
                severity=_by_lateness(days, policy.manager_contact_days),
                started_on=since + dt.timedelta(days=policy.manager_contact_days),
                params={"days": days, "since": since},
            )
        )
    for invitation in invitations:
        expired = invitation["expires_at"] <= now
        hours = int((now - invitation["sent_at"]).total_seconds() // 3600)
        if not expired and hours < policy.questionnaire_hours:
            continue
        started = (
            invitation["expires_at"]
            if expired
            else invitation["sent_at"] + dt.timedelta(hours=policy.questionnaire_hours)
        )
        signals.append(
            EarlySignal(
                kind=SignalKind.QUESTIONNAIRE,
                severity=Severity.URGENT if expired else Severity.ATTENTION,
                started_on=timezone.localdate(started),
                params={
                    "name": invitation["name"],
                    "titles": invitation["titles"],
                    "expired": expired,
                    "expires_on": timezone.localdate(invitation["expires_at"]),
                    "hours": hours,
                },
            )
        )
    signals.sort(key=lambda s: s.severity, reverse=True)
    return signals


def _by_lateness(days: int, threshold: int) -> Severity:
    """Twice the threshold without contact is urgent."""
    return Severity.URGENT if days >= 2 * threshold else Severity.ATTENTION
