"""Writes of the poortwachter app: timelines, deadlines, tasks and protocol.

``deadlines_refresh_for_case`` loads the facts of a chain of sick periods,
asks the pure rules for the timeline, and upserts ``Deadline`` and ``Task``
rows. It is idempotent (unique keys) and serialised per chain (row lock), so
it can run twice, or in two workers at once, without duplicating anything.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, Tenant, User
from accounts.services import audit_event_record
from cases.models import AbsenceCase
from core.exceptions import ApplicationError
from poortwachter.models import (
    Anchor,
    CaseTimeline,
    Deadline,
    OffsetUnit,
    ProtocolStep,
    Task,
    TaskSource,
    TaskStatus,
)
from poortwachter.protocol import DEFAULT_PROTOCOL
from poortwachter.rules import (
    ALL_MILESTONES,
    CaseFacts,
    EmploymentEnd,
    FullRecovery,
    PartialRecovery,
    ProbleemanalyseMade,
    Relapse,
    RulesInputError,
    Timeline,
    Vangnet,
    compute_timeline,
)
from poortwachter.rules.calendar import add_working_days, last_working_day_on_or_before
from poortwachter.rules.periods import Chain

logger = logging.getLogger(__name__)

# Repeating protocol rounds are created this many days ahead; the nightly run
# adds the next ones as they enter this horizon. Rounds further back than the
# lookback are not created (a weekly call of two months ago is no longer
# actionable) and open ones that fall behind it close themselves.
PLANNING_HORIZON_DAYS = 42
REPEAT_LOOKBACK_DAYS = 14
_MILESTONES = {milestone.code: milestone for milestone in ALL_MILESTONES}


# --- the chain and its facts ----------------------------------------------------


def case_chain(*, case: AbsenceCase) -> list[AbsenceCase]:
    """The cases counted as one period with ``case`` (samentelling), oldest first."""
    root = case
    while root.previous_case_id is not None:
        root = AbsenceCase.objects.select_related("employee").get(
            pk=root.previous_case_id
        )
    chain = [root]
    while True:
        relapse = (
            AbsenceCase.objects.select_related("employee")
            .filter(previous_case=chain[-1])
            .order_by("first_sick_day")
            .first()
        )
        if relapse is None:
            return chain
        chain.append(relapse)


def _legal_task_done_on(root: AbsenceCase, code: str) -> dt.date | None:
    task = (
        Task.objects.filter(
            case=root, source=TaskSource.LEGAL, key=code, status=TaskStatus.DONE
        )
        .only("completed_at")
        .first()
    )
    if task is None or task.completed_at is None:
        return None
    return timezone.localdate(task.completed_at)


def case_facts(*, chain: list[AbsenceCase]) -> CaseFacts:
    """The rules' view of a chain: first sick day, events, vangnet flag."""
    root = chain[0]
    dated: list[tuple[dt.date, int, object]] = []
    for index, case in enumerate(chain):
        if index:
            dated.append((case.first_sick_day, 2, Relapse(case.first_sick_day)))
        for change in case.workability_changes.all():
            if 0 < change.percentage_unfit < 100:
                event = PartialRecovery(
                    change.effective_date, 100 - change.percentage_unfit
                )
                dated.append((change.effective_date, 0, event))
        if case.recovery_date:
            dated.append((case.recovery_date, 1, FullRecovery(case.recovery_date)))
    pa_date = _legal_task_done_on(root, "probleemanalyse")
    if pa_date is not None:
        dated.append((pa_date, 0, ProbleemanalyseMade(pa_date)))
    employment_end = root.employee.employment_end
    if employment_end is not None:
        dated.append((employment_end, 3, EmploymentEnd(employment_end)))
    dated.sort(key=lambda item: (item[0], item[1]))
    vangnet = chain[-1].vangnet_category or root.employee.vangnet_category
    return CaseFacts(
        first_sick_day=root.first_sick_day,
        events=tuple(event for _, _, event in dated),  # type: ignore[misc]
        vangnet=Vangnet(vangnet) if vangnet else None,
    )


# --- desired tasks -----------------------------------------------------------------


@dataclass(frozen=True)
class _TaskSpec:
    source: str
    key: str
    round: int
    title: str
    role: str
    due: dt.date
    step: ProtocolStep | None = None


def _in_sick_span(timeline: Timeline, day: dt.date) -> bool:
    return any(
        span.start <= day and (span.end is None or day < span.end)
        for span in timeline.spans
    )


def _after(base: dt.date, offset: int, unit: str) -> dt.date:
    if unit == OffsetUnit.WORKING_DAYS:
        return add_working_days(base, offset)
    days = offset * 7 if unit == OffsetUnit.WEEKS else offset
    return base + dt.timedelta(days=days)


def _protocol_specs(
    steps: list[ProtocolStep],
    chain: list[AbsenceCase],
    timeline: Timeline,
    today: dt.date,
    pa_done: dt.date | None,
    pva_done: dt.date | None,
) -> tuple[list[_TaskSpec], dt.date | None]:
    """Protocol tasks due now, and the day the next repeating round enters view."""
    counter = Chain(timeline.spans, timeline.days_excluded_from_counter)
    horizon = today + dt.timedelta(days=PLANNING_HORIZON_DAYS)
    lookback = today - dt.timedelta(days=REPEAT_LOOKBACK_DAYS)
    last_day = timeline.due("wage_period_last_day") or counter.sick_day(728)
    end = timeline.employment_end
    specs: list[_TaskSpec] = []
    next_review: dt.date | None = None

    def wanted(due: dt.date) -> bool:
        return _in_sick_span(timeline, due) and (end is None or due <= end)

    for step in steps:
        if step.anchor == Anchor.ZIEKMELDING:
            for index, case in enumerate(chain):
                due = _after(
                    timezone.localdate(case.reported_at), step.offset, step.unit
                )
                if wanted(max(due, case.first_sick_day)):
                    specs.append(_spec(step, index, due))
            continue
        if step.anchor == Anchor.RECOVERY:
            if timeline.closed_on is not None:
                specs.append(
                    _spec(step, 0, _after(timeline.closed_on, step.offset, step.unit))
                )
            continue
        if (
            step.anchor == Anchor.FIRST_SICK_DAY
            and step.unit != OffsetUnit.WORKING_DAYS
        ):
            days = step.offset * 7 if step.unit == OffsetUnit.WEEKS else step.offset
            first = counter.sick_day(days + 1)
        elif step.anchor == Anchor.FIRST_SICK_DAY:
            first = _after(
                timeline.counted_period_first_sick_day, step.offset, step.unit
            )
        elif step.anchor == Anchor.PROBLEEMANALYSE:
            base = pa_done or timeline.milestone("probleemanalyse").due
            first = _after(base, step.offset, step.unit)
        else:  # plan van aanpak
            base = pva_done or timeline.milestone("plan_van_aanpak").due
            first = _after(base, step.offset, step.unit)
        if not step.repeat_every_weeks:
            if wanted(first):
                specs.append(_spec(step, 0, first))
            continue
        interval = dt.timedelta(weeks=step.repeat_every_weeks)
        due, round_ = first, 0
        while due <= last_day:
            if due > horizon:
                review = due - dt.timedelta(days=PLANNING_HORIZON_DAYS)
                next_review = (
                    review if next_review is None else min(next_review, review)
                )
                break
            if due >= lookback and wanted(due):
                specs.append(_spec(step, round_, due))
            due, round_ = due + interval, round_ + 1
    return specs, next_review


def _spec(step: ProtocolStep, round_: int, due: dt.date) -> _TaskSpec:
    return _TaskSpec(
        TaskSource.PROTOCOL,
        step.code,
        round_,
        step.title,
        step.assignee_role,
        due,
        step,
    )


def _assignee_for(role: str, case: AbsenceCase) -> int | None:
    """The person on the case in ``role``; else the regiehouder (the single
    point of contact), else the casemanager, so no legal task is orphaned."""
    if role == Role.HR:
        person = (
            Membership.objects.filter(
                role=Role.HR, is_active=True, employers=case.employee.employer_id
            )
            .values_list("user_id", flat=True)
            .first()
        )
    else:
        person = {
            Role.REGIEHOUDER: case.regiehouder_id,
            Role.CASEMANAGER: case.casemanager_id,
            Role.BEDRIJFSARTS: case.bedrijfsarts_id,
            Role.LEIDINGGEVENDE: case.employee.manager_id,
            Role.WERKNEMER: case.employee.user_id,
        }.get(role)
    return person or case.regiehouder_id or case.casemanager_id


# --- refresh -------------------------------------------------------------------


def _lock_timeline(root: AbsenceCase) -> CaseTimeline:
    CaseTimeline.objects.bulk_create(
        [CaseTimeline(tenant_id=root.tenant_id, case=root)], ignore_conflicts=True
    )
    return CaseTimeline.objects.select_for_update().get(case=root)


@transaction.atomic
def deadlines_refresh_for_case(*, case: AbsenceCase, today: dt.date) -> CaseTimeline:
    """Recompute the deadlines and tasks of the chain ``case`` belongs to.

    Tasks a person completed are never touched; open tasks that no longer
    apply (full recovery closes them all, a removed protocol step) become
    not-applicable, and such
    system-closed tasks reopen when they apply again (a relapse within four
    weeks). Bad facts are recorded on the timeline, not raised.
    """
    # Read the facts afresh: the caller's instance may hold stale relations.
    fresh = AbsenceCase.objects.select_related("employee").get(pk=case.pk)
    chain = case_chain(case=fresh)
    root, current = chain[0], chain[-1]
    state = _lock_timeline(root)
    now = timezone.now()
    try:
        timeline = compute_timeline(case_facts(chain=chain))
    except RulesInputError as exc:
        logger.warning("timeline of case %s: %s", root.pk, exc)
        state.error, state.stale, state.refreshed_at = str(exc), False, now
        state.save(update_fields=["error", "stale", "refreshed_at"])
        return state

    Deadline.objects.bulk_create(
        [
            Deadline(
                tenant_id=root.tenant_id,
                case=root,
                milestone=m.code,
                due_date=m.due,
                opens_on=m.opens,
                plan_by=m.plan_by,
                applies=m.applies,
                rules_version=timeline.rules_version,
            )
            for m in timeline.milestones
        ],
        update_conflicts=True,
        unique_fields=["case", "milestone"],
        update_fields=["due_date", "opens_on", "plan_by", "applies", "rules_version"],
    )
    Deadline.objects.filter(case=root).exclude(
        milestone__in=[m.code for m in timeline.milestones]
    ).delete()

    specs = [
        _TaskSpec(
            TaskSource.LEGAL,
            m.code,
            0,
            _MILESTONES[m.code].label,
            _MILESTONES[m.code].role,
            m.due,
        )
        for m in timeline.milestones
        if m.applies and _MILESTONES[m.code].creates_task
    ]
    steps = list(ProtocolStep.objects.filter(is_active=True))
    protocol, next_review = _protocol_specs(
        steps,
        chain,
        timeline,
        today,
        _legal_task_done_on(root, "probleemanalyse"),
        _legal_task_done_on(root, "plan_van_aanpak"),
    )
    wanted = [*specs, *protocol]
    if timeline.closed_on is not None:
        # Recovery closes the case: only what is due from the hersteldatum on
        # (a vangnet report with the betermelding, steps after recovery).
        wanted = [spec for spec in wanted if spec.due >= timeline.closed_on]
    _apply_task_specs(root, current, wanted, now)

    state.outcome = timeline.outcome.value
    state.counted_first_sick_day = timeline.counted_period_first_sick_day
    state.days_excluded = timeline.days_excluded_from_counter
    state.closed_on = timeline.closed_on
    state.is_open = timeline.closed_on is None and (
        timeline.employment_end is None or timeline.employment_end >= today
    )
    state.rules_version = timeline.rules_version
    state.error = ""
    state.stale = False
    state.next_review_on = next_review
    state.refreshed_at = now
    state.save()
    return state


def _apply_task_specs(
    root: AbsenceCase, current: AbsenceCase, specs: list[_TaskSpec], now: dt.datetime
) -> None:
    existing = {(t.source, t.key, t.round): t for t in Task.objects.filter(case=root)}
    wanted = {(s.source, s.key, s.round): s for s in specs}
    create: list[Task] = []
    update: list[Task] = []
    for key, spec in wanted.items():
        plan_by = last_working_day_on_or_before(spec.due)
        task = existing.get(key)
        if task is None:
            create.append(
                Task(
                    tenant_id=root.tenant_id,
                    case=root,
                    source=spec.source,
                    key=spec.key,
                    round=spec.round,
                    title=spec.title,
                    protocol_step=spec.step,
                    assignee_role=spec.role,
                    assignee_id=_assignee_for(spec.role, current),
                    due_date=spec.due,
                    plan_by=plan_by,
                )
            )
            continue
        reopen = (
            task.status == TaskStatus.NOT_APPLICABLE and task.completed_by_id is None
        )
        if task.status != TaskStatus.OPEN and not reopen:
            continue  # done by a person, or closed by a person: leave it
        changed = reopen or (task.due_date, task.plan_by, task.title) != (
            spec.due,
            plan_by,
            spec.title,
        )
        if task.assignee_id is None:
            assignee = _assignee_for(spec.role, current)
            changed = changed or assignee is not None
            task.assignee_id = assignee
        if changed:
            task.due_date, task.plan_by, task.title = spec.due, plan_by, spec.title
            task.status, task.completed_at = TaskStatus.OPEN, None
            update.append(task)
    for key, task in existing.items():
        if (
            key not in wanted
            and task.source != TaskSource.MANUAL
            and task.status == TaskStatus.OPEN
        ):
            task.status, task.completed_at = TaskStatus.NOT_APPLICABLE, now
            update.append(task)
    Task.objects.bulk_create(create, ignore_conflicts=True)
    if update:
        Task.objects.bulk_update(
            update,
            ["due_date", "plan_by", "title", "status", "completed_at", "assignee"],
        )


def timeline_mark_stale(*, case: AbsenceCase) -> None:
    """Flag the chain of ``case`` for a refresh, in the caller's transaction."""
    root = case_chain(case=case)[0]
    CaseTimeline.objects.bulk_create(
        [CaseTimeline(tenant_id=root.tenant_id, case=root, stale=True)],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["stale"],
    )


# --- tasks -------------------------------------------------------------------------


def task_complete(
    *, actor: User, task: Task, note: str = "", completed_on: dt.date | None = None
) -> Task:
    """Mark ``task`` done by ``actor``; a legal task's date may move later ones.

    Completing the probleemanalyse or plan van aanpak records the date the
    rules use (a late probleemanalyse moves the plan van aanpak), so the chain
    is refreshed after commit.
    """
    from cases.signals import case_facts_changed

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
        locked.status = TaskStatus.DONE
        locked.completed_by = actor
        locked.completed_at = when
        locked.note = note.strip()
        locked.save(update_fields=["status", "completed_by", "completed_at", "note"])
        audit_event_record(
            actor=actor,
            action="task_complete",
            obj=locked,
            data={"key": locked.key, "round": locked.round},
        )
        if locked.source == TaskSource.LEGAL:
            case_facts_changed.send(sender=Task, case=locked.case)
    return locked


# --- protocol ------------------------------------------------------------------


def protocol_install_default(*, tenant: Tenant) -> int:
    """Give ``tenant`` the default protocol; returns the number of steps added.

    Idempotent: steps whose code the tenant already has are left alone.
    """
    created = ProtocolStep.objects.bulk_create(
        [
            ProtocolStep(
                tenant=tenant,
                code=step.code,
                title=step.title,
                title_en=step.title_en,
                anchor=step.anchor,
                offset=step.offset,
                unit=step.unit,
                assignee_role=step.role,
                repeat_every_weeks=step.repeat_every_weeks,
                position=position * 10,
            )
            for position, step in enumerate(DEFAULT_PROTOCOL, start=1)
        ],
        ignore_conflicts=True,
    )
    return len(created)


def protocol_changed(*, tenant: Tenant) -> int:
    """A protocol step changed: refresh every open chain of ``tenant`` soon.

    Done tasks are never touched by the refresh; open ones follow the step.
    """
    return CaseTimeline.objects.filter(tenant=tenant, is_open=True).update(stale=True)


def timelines_refresh(
    *, today: dt.date, stale_only: bool = False, limit: int | None = None
) -> int:
    """Refresh the chains of the active tenant that need it; returns how many.

    Each chain is refreshed in its own transaction, so one bad case neither
    blocks nor rolls back the others. ``limit`` bounds one run.
    """
    from poortwachter.selectors import cases_needing_refresh

    ids = list(cases_needing_refresh(today=today, stale_only=stale_only)[:limit])
    done = 0
    for start in range(0, len(ids), 500):
        batch = AbsenceCase.objects.select_related("employee").filter(
            pk__in=ids[start : start + 500]
        )
        for case in batch:
            deadlines_refresh_for_case(case=case, today=today)
            done += 1
    return done
