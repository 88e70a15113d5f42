"""The soak test's arithmetic, free of Django and of I/O.

``latency_summary`` turns the virtual users' samples into figures per request
kind; ``consistency_problems`` compares what the users were told (their
reports, recoveries, completed tasks and downloads) with what the database,
the mail server and the webhook receiver hold afterwards. Both work on plain
values so ``tests/test_soak_check.py`` can prove every check fires.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# How many examples a failed check prints before "... and N more".
EXAMPLES = 5


# --- latency ------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95 for p95) of unsorted values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def latency_summary(samples: Iterable[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """Figures per request kind from ``(t, kind, ms, status, ok)`` samples.

    Latency percentiles cover every answered request (an error answered
    fast still took that long); ``errors`` counts samples not ``ok``.
    """
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for _t, kind, ms, status, ok in samples:
        by_kind[kind].append(ms)
        statuses[kind][status] += 1
        if not ok:
            errors[kind] += 1
    summary: dict[str, dict[str, Any]] = {}
    for kind in sorted(by_kind):
        values = by_kind[kind]
        summary[kind] = {
            "count": len(values),
            "errors": errors[kind],
            "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
            "statuses": {str(k): v for k, v in sorted(statuses[kind].items())},
        }
    return summary


def per_minute(samples: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Requests, errors and p95 per minute of the run: a soak must not drift."""
    minutes: dict[int, list[float]] = defaultdict(list)
    errors: Counter[int] = Counter()
    for t, _kind, ms, _status, ok in samples:
        minute = int(t // 60)
        minutes[minute].append(ms)
        if not ok:
            errors[minute] += 1
    return [
        {
            "minute": minute,
            "requests": len(values),
            "errors": errors[minute],
            "p95_ms": round(percentile(values, 0.95), 1),
        }
        for minute, values in sorted(minutes.items())
    ]


# --- consistency --------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    employee_id: int
    status: str
    first_sick_day: str
    recovery_date: str | None
    created_in_soak: bool
    root_id: int


@dataclass(frozen=True)
class TimelineRow:
    stale: bool
    error: str
    rules_version: str
    closed_on: str | None


@dataclass
class Snapshot:
    """What the database, the mail sink and the webhook receiver hold."""

    cases: dict[int, CaseRow]
    # case id -> [(effective date, percentage unfit)], oldest first
    changes: dict[int, list[tuple[str, int]]]
    # (case id, source, key, round) of every task
    task_keys: list[tuple[int, str, str, int]]
    # task id -> (status, e-mail of who completed it)
    tasks: dict[int, tuple[str, str | None]]
    # chain root id -> timeline
    timelines: dict[int, TimelineRow]
    # chain root id -> legal task keys the rules want now
    expected_legal: dict[int, set[str]]
    rules_version: str
    # (key, recipient) of every NotificationSent row
    notifications: list[tuple[str, str]]
    # recipient -> mails the SMTP sink received
    mails: Counter[str]
    # event id -> statuses of its deliveries (one per endpoint)
    deliveries: dict[str, list[str]]
    # event id -> times the receiver got it
    received: Counter[str]
    # what the users did -> the event id it must have produced
    expected_events: dict[str, str]
    # document id -> sha256 stored
    documents: dict[int, str]
    # error lines from the server and worker logs
    log_errors: list[str] = field(default_factory=list)
    # recipient -> other mails the database records as sent (questionnaire
    # invitations and their reminders)
    other_mails: Counter[str] = field(default_factory=Counter)


@dataclass
class Actions:
    """What the virtual users did and were told (``ok`` False or None: the
    request failed or its outcome is unknown)."""

    reports: list[dict[str, Any]] = field(default_factory=list)
    recoveries: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    downloads: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> Actions:
        return cls(
            reports=list(results.get("reports", [])),
            recoveries=list(results.get("recoveries", [])),
            completions=list(results.get("completions", [])),
            downloads=list(results.get("downloads", [])),
        )


def _limited(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = items[:EXAMPLES]
    more = f" ... and {len(items) - EXAMPLES} more" if len(items) > EXAMPLES else ""
    return [f"{title}: {'; '.join(shown)}{more} ({len(items)} in all)"]


def _check_reports(actions: Actions, db: Snapshot) -> list[str]:
    """Every reported ziekmelding is exactly one case; no case came from
    nowhere."""
    soak_cases: dict[int, list[int]] = defaultdict(list)
    for case_id, row in db.cases.items():
        if row.created_in_soak:
            soak_cases[row.employee_id].append(case_id)
    lost, duplicated, wrong, phantom = [], [], [], []
    reported = set()
    for report in actions.reports:
        employee = report["employee"]
        reported.add(employee)
        found = sorted(soak_cases.get(employee, []))
        if report.get("ok"):
            if not found:
                lost.append(f"employee {employee}")
            elif len(found) > 1:
                duplicated.append(f"employee {employee}: cases {found}")
            elif report.get("case") != found[0]:
                wrong.append(
                    f"employee {employee}: told case {report.get('case')}, "
                    f"database has {found[0]}"
                )
        elif len(found) > 1:
            duplicated.append(f"employee {employee}: cases {found}")
    for employee, found in soak_cases.items():
        if employee not in reported:
            phantom.append(f"employee {employee}: cases {sorted(found)}")
    return [
        *_limited("ziekmelding reported but no case", lost),
        *_limited("ziekmelding made more than one case", duplicated),
        *_limited("ziekmelding answered with another case", wrong),
        *_limited("case nobody reported", phantom),
    ]


def _check_open_cases(db: Snapshot) -> list[str]:
    """One open case per employee; every open chain refreshed with its legal
    tasks; no task twice."""
    open_per_employee = Counter(
        row.employee_id for row in db.cases.values() if row.status == "open"
    )
    two_open = [
        f"employee {employee}: {count} open"
        for employee, count in sorted(open_per_employee.items())
        if count > 1
    ]
    duplicates = [
        f"case {key[0]} {key[1]}/{key[2]}/{key[3]} x{count}"
        for key, count in sorted(Counter(db.task_keys).items())
        if count > 1
    ]
    legal: dict[int, set[str]] = defaultdict(set)
    for case_id, source, key, _round in db.task_keys:
        if source == "legal":
            legal[case_id].add(key)
    not_refreshed, missing = [], []
    roots = sorted({row.root_id for row in db.cases.values() if row.status == "open"})
    for root in roots:
        timeline = db.timelines.get(root)
        if timeline is None:
            not_refreshed.append(f"case {root}: no timeline")
            continue
        if timeline.stale or timeline.error:
            state = "stale" if timeline.stale else f"error {timeline.error[:60]!r}"
            not_refreshed.append(f"case {root}: {state}")
        elif timeline.rules_version != db.rules_version:
            not_refreshed.append(f"case {root}: rules {timeline.rules_version}")
        absent = db.expected_legal.get(root, set()) - legal[root]
        if absent:
            missing.append(f"case {root}: {sorted(absent)}")
    return [
        *_limited("employee with more than one open case", two_open),
        *_limited("duplicate task (unique key)", duplicates),
        *_limited("open case whose timeline is not refreshed", not_refreshed),
        *_limited("open case without its legal tasks", missing),
    ]


def _check_recoveries(actions: Actions, db: Snapshot) -> list[str]:
    wrong = []
    for recovery in actions.recoveries:
        if not recovery.get("ok"):
            continue
        case_id, day = recovery["case"], recovery["date"]
        row = db.cases.get(case_id)
        if row is None:
            wrong.append(f"case {case_id}: gone")
        elif recovery["full"]:
            timeline = db.timelines.get(row.root_id)
            if row.status != "recovered" or row.recovery_date != day:
                wrong.append(f"case {case_id}: {row.status} {row.recovery_date}")
            elif timeline is None or timeline.stale or timeline.closed_on != day:
                wrong.append(f"case {case_id}: timeline not closed on {day}")
        elif (day, 100 - recovery["percentage"]) not in db.changes.get(case_id, []):
            wrong.append(f"case {case_id}: no partial recovery on {day}")
    return _limited("recovery reported but not recorded", wrong)


def _check_completions(actions: Actions, db: Snapshot) -> list[str]:
    wrong = []
    for completion in actions.completions:
        if not completion.get("ok"):
            continue
        status, by = db.tasks.get(completion["task"], ("missing", None))
        if status != "done" or by != completion["user"]:
            wrong.append(f"task {completion['task']}: {status} by {by}")
    return _limited("task completed but not done in the database", wrong)


def _check_mail(actions: Actions, db: Snapshot) -> list[str]:
    """Each notification row is exactly one mail; each ziekmelding was
    confirmed."""
    rows = Counter(recipient for _key, recipient in db.notifications)
    rows.update(db.other_mails)
    mismatch = [
        f"{recipient}: {rows[recipient]} recorded, {db.mails[recipient]} received"
        for recipient in sorted(set(rows) | set(db.mails))
        if rows[recipient] != db.mails[recipient]
    ]
    keys = {key for key, _recipient in db.notifications}
    unconfirmed = [
        f"case {report['case']}"
        for report in actions.reports
        if report.get("ok") and f"ziekmelding:{report['case']}" not in keys
    ]
    return [
        *_limited("mails received differ from mails recorded", mismatch),
        *_limited("ziekmelding without confirmation mail", unconfirmed),
    ]


def _check_webhooks(db: Snapshot) -> list[str]:
    """Each expected event recorded once, delivered, received exactly once."""
    undelivered, not_once = [], []
    for what, event_id in sorted(db.expected_events.items()):
        statuses = db.deliveries.get(event_id)
        if not statuses:
            undelivered.append(f"{what}: no event")
        elif any(status != "delivered" for status in statuses):
            undelivered.append(f"{what}: {statuses}")
    for event_id in sorted(set(db.deliveries) | set(db.received)):
        wanted = len(db.deliveries.get(event_id, []))
        if db.received[event_id] != wanted:
            not_once.append(
                f"{event_id}: received {db.received[event_id]}x, {wanted} deliveries"
            )
    return [
        *_limited("webhook event not delivered", undelivered),
        *_limited("webhook not received exactly once", not_once),
    ]


def _check_downloads(actions: Actions, db: Snapshot) -> list[str]:
    wrong = [
        f"document {download['document']}"
        for download in actions.downloads
        if db.documents.get(download["document"]) != download["sha256"]
    ]
    return _limited("downloaded PDF differs from the stored sha256", wrong)


def consistency_problems(actions: Actions, db: Snapshot) -> list[str]:
    """Everything that is not as the users were told; empty when consistent."""
    return [
        *_check_reports(actions, db),
        *_check_open_cases(db),
        *_check_recoveries(actions, db),
        *_check_completions(actions, db),
        *_check_mail(actions, db),
        *_check_webhooks(db),
        *_check_downloads(actions, db),
        *_limited("errors in the server or worker logs", db.log_errors),
    ]
