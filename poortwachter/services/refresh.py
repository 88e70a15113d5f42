"""Refreshing deadlines and tasks from the rules, a batch of chains at a time.

A refresh loads the facts of up to ``BATCH_SIZE`` chains of sick periods in a
fixed number of queries, asks the pure rules for each timeline, and writes
``Deadline``, ``Task`` and ``CaseTimeline`` rows with set-based statements.
The same path serves one case after a ziekmelding and thousands at night.

It is idempotent (unique keys) and serialised per chain: the chain's
``CaseTimeline`` row is locked before its facts are read, and a change of
facts marks that row stale in its own transaction, so a change that lands
during a refresh is never lost (it waits for the lock, then flags the chain
again).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role
from cases.models import AbsenceCase, WorkabilityChange
from core.bulk import upsert_rows
from poortwachter.models import (
    Anchor,
    CaseTimeline,
    Deadline,
    OffsetUnit,
    Probleemanalyse,
    ProbleemanalyseKind,
    ProtocolStep,
    Task,
    TaskSource,
    TaskStatus,
)
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
from poortwachter.rules.jsonio import timeline_to_json
from poortwachter.rules.periods import Chain

logger = logging.getLogger(__name__)

# Repeating protocol rounds are created this many days ahead; the nightly run
# adds the next ones as they enter this horizon. Rounds further back than the
# lookback are not created (a weekly call of two months ago is no longer
# actionable) and open ones that fall behind it close themselves.
PLANNING_HORIZON_DAYS = 42
REPEAT_LOOKBACK_DAYS = 14
BATCH_SIZE = 500
_MILESTONES = {milestone.code: milestone for milestone in ALL_MILESTONES}
_OPTIONAL_MILESTONES = ("vangnet_uwv_ziekmelding", "ziek_uit_dienst_melding")
_DATED_LEGAL_TASKS = ("probleemanalyse", "plan_van_aanpak")


# --- loading -----------------------------------------------------------------------


def _load_chains(case_ids: Iterable[int]) -> dict[int, list[AbsenceCase]]:
    """Chains (oldest case first) keyed by root id, for the given case ids."""
    cases = {
        c.pk: c
        for c in AbsenceCase.objects.select_related("employee").filter(pk__in=case_ids)
    }
    wanted = list(cases.values())
    missing = {c.previous_case_id for c in wanted if c.previous_case_id} - set(cases)
    while missing:
        found = list(
            AbsenceCase.objects.select_related("employee").filter(pk__in=missing)
        )
        cases.update({c.pk: c for c in found})
        missing = {c.previous_case_id for c in found if c.previous_case_id} - set(cases)

    def root_of(case: AbsenceCase) -> AbsenceCase:
        while case.previous_case_id is not None:
            case = cases[case.previous_case_id]
        return case

    chains = {root.pk: [root] for root in map(root_of, wanted)}
    tail_to_root = {root_id: root_id for root_id in chains}
    while tail_to_root:
        relapses = (
            AbsenceCase.objects.select_related("employee")
            .filter(previous_case_id__in=tail_to_root)
            .order_by("first_sick_day", "pk")
        )
        following: dict[int, int] = {}
        for relapse in relapses:
            root_id = tail_to_root[relapse.previous_case_id]
            if chains[root_id][-1].pk == relapse.previous_case_id:
                chains[root_id].append(relapse)
                following[relapse.pk] = root_id
        tail_to_root = following
    return chains


def case_chain(*, case: AbsenceCase) -> list[AbsenceCase]:
    """The cases counted as one period with ``case`` (samentelling), oldest first."""
    return next(iter(_load_chains([case.pk]).values()))


@dataclass
class _Loaded:
    """Everything a batch needs besides the chains, each in one query."""

    partials: dict[int, list[tuple[dt.date, int]]]
    dated: dict[tuple[int, str], dt.date]
    tasks: dict[int, list[Task]]
    hr_by_employer: dict[int, int]
    steps: list[ProtocolStep]


def _partials(case_ids: list[int]) -> dict[int, list[tuple[dt.date, int]]]:
    """Partial recoveries per case: (effective date, percentage fit)."""
    partials: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for case_id, day, unfit in (
        WorkabilityChange.objects.filter(
            case_id__in=case_ids, percentage_unfit__gt=0, percentage_unfit__lt=100
        )
        .order_by("effective_date", "pk")
        .values_list("case_id", "effective_date", "percentage_unfit")
    ):
        partials[case_id].append((day, 100 - unfit))
    return partials


def _dated(
    chains: dict[int, list[AbsenceCase]], tasks: Iterable[Task]
) -> dict[tuple[int, str], dt.date]:
    """The days the probleemanalyse and plan van aanpak were done, per root:
    from their completed legal tasks, and a recorded probleemanalyse dates
    the rules even before its task exists."""
    dated: dict[tuple[int, str], dt.date] = {}
    for task in tasks:
        if (
            task.source == TaskSource.LEGAL
            and task.key in _DATED_LEGAL_TASKS
            and task.status == TaskStatus.DONE
            and task.completed_at is not None
        ):
            dated[(task.case_id, task.key)] = timezone.localdate(task.completed_at)
    case_ids = [case.pk for chain in chains.values() for case in chain]
    root_of = {case.pk: root_id for root_id, chain in chains.items() for case in chain}
    for case_id, made_on in Probleemanalyse.objects.filter(
        case_id__in=case_ids, kind=ProbleemanalyseKind.EERSTE
    ).values_list("case_id", "made_on"):
        slot = (root_of[case_id], "probleemanalyse")
        dated[slot] = min(made_on, dated.get(slot, made_on))
    return dated


def _load(chains: dict[int, list[AbsenceCase]], known: list[int]) -> _Loaded:
    """``known`` are the roots refreshed before: only they can have tasks."""
    case_ids = [case.pk for chain in chains.values() for case in chain]
    partials = _partials(case_ids)
    tasks: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(case_id__in=known) if known else ():
        tasks[task.case_id].append(task)
    dated = _dated(chains, (task for group in tasks.values() for task in group))
    employer_ids = {chain[0].employee.employer_id for chain in chains.values()}
    hr_by_employer: dict[int, int] = {}
    for employer_id, user_id in (
        Membership.objects.filter(
            role=Role.HR, is_active=True, employers__in=employer_ids
        )
        .order_by("pk")
        .values_list("employers", "user_id")
    ):
        hr_by_employer.setdefault(employer_id, user_id)
    return _Loaded(
        partials=partials,
        dated=dated,
        tasks=tasks,
        hr_by_employer=hr_by_employer,
        steps=list(ProtocolStep.objects.filter(is_active=True)),
    )


def case_facts(
    *,
    chain: list[AbsenceCase],
    partials: dict[int, list[tuple[dt.date, int]]],
    probleemanalyse_on: dt.date | None,
) -> CaseFacts:
    """The rules' view of a chain: first sick day, events, vangnet flag."""
    root = chain[0]
    dated: list[tuple[dt.date, int, object]] = []
    for index, case in enumerate(chain):
        if index:
            dated.append((case.first_sick_day, 2, Relapse(case.first_sick_day)))
        for day, fit in partials.get(case.pk, ()):
            dated.append((day, 0, PartialRecovery(day, fit)))
        if case.recovery_date:
            dated.append((case.recovery_date, 1, FullRecovery(case.recovery_date)))
    if probleemanalyse_on is not None:
        dated.append((probleemanalyse_on, 0, ProbleemanalyseMade(probleemanalyse_on)))
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


def _chain_facts(case: AbsenceCase) -> tuple[list[AbsenceCase], CaseFacts]:
    chains = _load_chains([case.pk])
    chain = next(iter(chains.values()))
    loaded = _load(chains, known=list(chains))
    facts = case_facts(
        chain=chain,
        partials=loaded.partials,
        probleemanalyse_on=loaded.dated.get((chain[0].pk, "probleemanalyse")),
    )
    return chain, facts


def chain_timeline(*, case: AbsenceCase) -> tuple[list[AbsenceCase], Timeline]:
    """The chain of ``case`` and its timeline as the rules see it now (no writes).

    Raises ``RulesInputError`` when the facts are inconsistent.
    """
    chain, facts = _chain_facts(case)
    return chain, compute_timeline(facts)


def chain_timelines(
    *, cases: Iterable[AbsenceCase]
) -> dict[int, tuple[list[AbsenceCase], Timeline | None]]:
    """``chain_timeline`` for many cases at once, in a fixed number of
    queries: per case id, its chain and timeline (None when the facts are
    inconsistent)."""
    wanted = {case.pk for case in cases}
    chains = _load_chains(wanted)
    case_ids = [case.pk for chain in chains.values() for case in chain]
    done = Task.objects.filter(
        case_id__in=list(chains),
        source=TaskSource.LEGAL,
        key__in=_DATED_LEGAL_TASKS,
        status=TaskStatus.DONE,
    )
    partials, dated = _partials(case_ids), _dated(chains, done)
    result: dict[int, tuple[list[AbsenceCase], Timeline | None]] = {}
    for root_id, chain in chains.items():
        try:
            timeline: Timeline | None = compute_timeline(
                case_facts(
                    chain=chain,
                    partials=partials,
                    probleemanalyse_on=dated.get((root_id, "probleemanalyse")),
                )
            )
        except RulesInputError:
            timeline = None
        for case in chain:
            if case.pk in wanted:
                result[case.pk] = (chain, timeline)
    return result


def chain_timeline_json(*, case: AbsenceCase) -> dict[str, Any]:
    """The rules engine's JSON document for the chain of ``case`` (the same
    document ``python -m poortwachter.rules`` prints), plus the ids of the
    chain's cases. Raises ``RulesInputError`` when the facts are inconsistent."""
    chain, facts = _chain_facts(case)
    document = timeline_to_json(compute_timeline(facts), facts)
    document["chain_case_ids"] = [c.pk for c in chain]
    return document


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
    last_day = counter.sick_day(728)
    end = timeline.employment_end
    specs: list[_TaskSpec] = []
    next_review: dt.date | None = None

    def wanted(due: dt.date) -> bool:
        return _in_sick_span(timeline, due) and (end is None or due <= end)

    for step in steps:
        if step.anchor == Anchor.ZIEKMELDING:
            # Once per sickness report in the chain; never repeating.
            for index, case in enumerate(chain):
                due = _after(
                    timezone.localdate(case.reported_at), step.offset, step.unit
                )
                if wanted(due):
                    specs.append(_spec(step, index, due))
            continue
        if step.anchor == Anchor.RECOVERY:
            if timeline.closed_on is not None:
                due = _after(timeline.closed_on, step.offset, step.unit)
                specs.append(_spec(step, 0, due))
            continue
        if (
            step.anchor == Anchor.FIRST_SICK_DAY
            and step.unit != OffsetUnit.WORKING_DAYS
        ):
            # Counted in sick days, so a chain's gap moves it like the law's dates.
            days = step.offset * 7 if step.unit == OffsetUnit.WEEKS else step.offset
            first = counter.sick_day(days + 1)
        elif step.anchor == Anchor.FIRST_SICK_DAY:
            first = _after(
                timeline.counted_period_first_sick_day, step.offset, step.unit
            )
        elif step.anchor == Anchor.PROBLEEMANALYSE:
            base = pa_done or timeline.milestone("probleemanalyse").due
            first = _after(base, step.offset, step.unit)
        else:
            base = pva_done or timeline.milestone("plan_van_aanpak").due
            first = _after(base, step.offset, step.unit)
        if not step.repeat_every_weeks:
            if wanted(first):
                specs.append(_spec(step, 0, first))
            continue
        interval = dt.timedelta(weeks=step.repeat_every_weeks)
        # Skip straight to the rounds near the lookback; round numbers stay
        # those counted from the first round.
        skipped = max(0, (lookback - first).days // interval.days)
        due, round_ = first + skipped * interval, skipped
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


def chain_route(chain: list[AbsenceCase]) -> str:
    """The route of a chain: the latest one decided on any of its cases
    (a relapse not yet triaged keeps the route of the period before), or
    ``""`` when none was decided."""
    return next((case.route for case in reversed(chain) if case.route), "")


def _desired(
    timeline: Timeline,
    chain: list[AbsenceCase],
    loaded: _Loaded,
    today: dt.date,
) -> tuple[list[_TaskSpec], dt.date | None]:
    root = chain[0].pk
    legal = [
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
    route = chain_route(chain)
    protocol, next_review = _protocol_specs(
        [step for step in loaded.steps if not step.route or step.route == route],
        chain,
        timeline,
        today,
        loaded.dated.get((root, "probleemanalyse")),
        loaded.dated.get((root, "plan_van_aanpak")),
    )
    wanted = [*legal, *protocol]
    if timeline.closed_on is not None:
        # Recovery closes the case: only what is due from the hersteldatum on
        # (a vangnet report with the betermelding, steps after recovery).
        wanted = [spec for spec in wanted if spec.due >= timeline.closed_on]
    return wanted, next_review


def _assignee_for(role: str, case: AbsenceCase, loaded: _Loaded) -> int | None:
    """The person on the case in ``role``; else the regiehouder (the single
    point of contact), else the casemanager, so no legal task is orphaned."""
    person = {
        Role.HR: loaded.hr_by_employer.get(case.employee.employer_id),
        Role.REGIEHOUDER: case.regiehouder_id,
        Role.CASEMANAGER: case.casemanager_id,
        Role.BEDRIJFSARTS: case.bedrijfsarts_id,
        Role.LEIDINGGEVENDE: case.employee.manager_id,
        Role.WERKNEMER: case.employee.user_id,
    }.get(role)
    return person or case.regiehouder_id or case.casemanager_id


TASK_FIELDS = (
    "tenant_id",
    "case_id",
    "source",
    "key",
    "round",
    "title",
    "protocol_step_id",
    "assignee_role",
    "assignee_id",
    "due_date",
    "plan_by",
    "status",
    "completed_by_id",
    "completed_at",
    "note",
    "snoozed_until",
    "snooze_reason",
    "overdue_notified_at",
    "created_at",
)
TASK_UPDATE_FIELDS = (
    "due_date",
    "plan_by",
    "title",
    "status",
    "completed_at",
    "assignee_id",
)
DEADLINE_FIELDS = (
    "tenant_id",
    "case_id",
    "milestone",
    "due_date",
    "opens_on",
    "plan_by",
    "applies",
    "rules_version",
    "computed_at",
)
TIMELINE_FIELDS = (
    "tenant_id",
    "case_id",
    "outcome",
    "counted_first_sick_day",
    "days_excluded",
    "closed_on",
    "is_open",
    "rules_version",
    "error",
    "stale",
    "next_review_on",
    "refreshed_at",
)


def _task_row(task: Task) -> tuple:
    return tuple(getattr(task, field) for field in TASK_FIELDS)


def _task_changes(
    chain: list[AbsenceCase],
    specs: list[_TaskSpec],
    existing: list[Task],
    loaded: _Loaded,
    now: dt.datetime,
    lookback: dt.date,
) -> list[tuple]:
    """Task rows of one chain to insert or update (one upsert writes them all).

    A protocol step already further back than the lookback when it would
    first be created is skipped (an imported or long-unrefreshed case does
    not fill the queue with stale chores); legal tasks are always created.
    """
    root, current = chain[0], chain[-1]
    by_key = {(t.source, t.key, t.round): t for t in existing}
    wanted = {(s.source, s.key, s.round): s for s in specs}
    write: list[tuple] = []
    for key, spec in wanted.items():
        plan_by = last_working_day_on_or_before(spec.due)
        task = by_key.get(key)
        if task is None:
            if spec.source == TaskSource.PROTOCOL and spec.due < lookback:
                continue
            write.append(
                (
                    root.tenant_id,
                    root.pk,
                    spec.source,
                    spec.key,
                    spec.round,
                    spec.title,
                    spec.step.pk if spec.step else None,
                    spec.role,
                    _assignee_for(spec.role, current, loaded),
                    spec.due,
                    plan_by,
                    TaskStatus.OPEN.value,
                    None,
                    None,
                    "",
                    None,
                    "",
                    None,
                    now,
                )
            )
            continue
        reopen = (
            task.status == TaskStatus.NOT_APPLICABLE and task.completed_by_id is None
        )
        if task.status != TaskStatus.OPEN and not reopen:
            continue  # done or closed by a person: leave it
        changed = reopen or (task.due_date, task.plan_by, task.title) != (
            spec.due,
            plan_by,
            spec.title,
        )
        if task.assignee_id is None:
            assignee = _assignee_for(spec.role, current, loaded)
            changed = changed or assignee is not None
            task.assignee_id = assignee
        if changed:
            task.due_date, task.plan_by, task.title = spec.due, plan_by, spec.title
            task.status, task.completed_at = TaskStatus.OPEN, None
            write.append(_task_row(task))
    for key, task in by_key.items():
        if (
            key not in wanted
            and task.source != TaskSource.MANUAL
            and task.status == TaskStatus.OPEN
        ):
            task.status, task.completed_at = TaskStatus.NOT_APPLICABLE, now
            write.append(_task_row(task))
    return write


# --- refresh -----------------------------------------------------------------------


def deadlines_refresh_for_cases(*, case_ids: Iterable[int], today: dt.date) -> int:
    """Recompute deadlines and tasks of the chains the given cases belong to.

    Tasks a person completed are never touched; open tasks that no longer
    apply (full recovery closes them all, a removed protocol step) become
    not-applicable, and such system-closed tasks reopen when they apply again
    (a relapse within four weeks). Inconsistent facts are recorded on the
    chain's timeline, not raised. Returns the number of chains refreshed.
    """
    with transaction.atomic():
        chains = _load_chains(case_ids)
        if not chains:
            return 0
        roots = sorted(chains)
        tenant_of = {root_id: chains[root_id][0].tenant_id for root_id in roots}
        CaseTimeline.objects.bulk_create(
            [CaseTimeline(tenant_id=tenant_of[r], case_id=r) for r in roots],
            ignore_conflicts=True,
        )
        states = {
            s.case_id: s
            for s in CaseTimeline.objects.select_for_update()
            .filter(case_id__in=roots)
            .order_by("case_id")
        }
        # A chain seen for the first time has no tasks yet: not asking saves
        # the biggest read of a first (or full) refresh.
        known = [r for r in roots if states[r].refreshed_at is not None]
        loaded = _load(chains, known)
        now = timezone.now()
        lookback = today - dt.timedelta(days=REPEAT_LOOKBACK_DAYS)
        deadlines: list[tuple] = []
        drop: list[tuple[int, str]] = []
        tasks: list[tuple] = []
        for root_id in roots:
            chain, state = chains[root_id], states[root_id]
            try:
                timeline = compute_timeline(
                    case_facts(
                        chain=chain,
                        partials=loaded.partials,
                        probleemanalyse_on=loaded.dated.get(
                            (root_id, "probleemanalyse")
                        ),
                    )
                )
            except RulesInputError as exc:
                logger.warning("timeline of case %s: %s", root_id, exc)
                state.error, state.stale, state.refreshed_at = str(exc), False, now
                continue
            codes = {m.code for m in timeline.milestones}
            if state.refreshed_at is not None:
                drop += [(root_id, c) for c in _OPTIONAL_MILESTONES if c not in codes]
            deadlines += [
                (
                    tenant_of[root_id],
                    root_id,
                    m.code,
                    m.due,
                    m.opens,
                    m.plan_by,
                    m.applies,
                    timeline.rules_version,
                    now,
                )
                for m in timeline.milestones
            ]
            specs, next_review = _desired(timeline, chain, loaded, today)
            tasks += _task_changes(
                chain, specs, loaded.tasks.get(root_id, []), loaded, now, lookback
            )
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

        upsert_rows(
            model=Deadline,
            fields=DEADLINE_FIELDS,
            rows=deadlines,
            unique_fields=("case_id", "milestone"),
            update_fields=DEADLINE_FIELDS[3:],
        )
        for code in _OPTIONAL_MILESTONES:
            gone = [root_id for root_id, c in drop if c == code]
            if gone:
                Deadline.objects.filter(case_id__in=gone, milestone=code).delete()
        upsert_rows(
            model=Task,
            fields=TASK_FIELDS,
            rows=tasks,
            unique_fields=("case_id", "source", "key", "round"),
            update_fields=TASK_UPDATE_FIELDS,
        )
        upsert_rows(
            model=CaseTimeline,
            fields=TIMELINE_FIELDS,
            rows=[
                tuple(getattr(state, f) for f in TIMELINE_FIELDS)
                for state in states.values()
            ],
            unique_fields=("case_id",),
            update_fields=TIMELINE_FIELDS[2:],
        )
    return len(roots)


def deadlines_refresh_for_case(*, case: AbsenceCase, today: dt.date) -> CaseTimeline:
    """Refresh the chain of one case (after a ziekmelding, a recovery, ...)."""
    deadlines_refresh_for_cases(case_ids=[case.pk], today=today)
    root = case_chain(case=case)[0]
    return CaseTimeline.objects.get(case=root)


def timeline_mark_stale(*, case: AbsenceCase) -> None:
    """Flag the chain of ``case`` for a refresh, in the caller's transaction."""
    root = case_chain(case=case)[0]
    CaseTimeline.objects.bulk_create(
        [CaseTimeline(tenant_id=root.tenant_id, case=root, stale=True)],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["stale"],
    )


def timelines_refresh(
    *, today: dt.date, stale_only: bool = False, limit: int | None = None
) -> int:
    """Refresh the chains of the active tenant that need it; returns how many.

    Works in batches of ``BATCH_SIZE`` chains, each in its own transaction, so
    a long run holds no lock for long. ``limit`` bounds one run.
    """
    from poortwachter.selectors import cases_needing_refresh

    ids = list(cases_needing_refresh(today=today, stale_only=stale_only)[:limit])
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        done += deadlines_refresh_for_cases(
            case_ids=ids[start : start + BATCH_SIZE], today=today
        )
    return done
