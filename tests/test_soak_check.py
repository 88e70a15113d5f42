"""The soak test's consistency check (bench/soak_check.py) on hand-made rows:
silent when the database holds exactly what the users were told, and loud
for each way it can be wrong. The soak itself runs with `make soak`."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from soak_check import (
    Actions,
    CaseRow,
    Snapshot,
    TimelineRow,
    consistency_problems,
    latency_summary,
    per_minute,
)

MANAGER = "leidinggevende-00@soak.example"
CASEMANAGER = "casemanager-00@soak.example"


def _consistent() -> tuple[Actions, Snapshot]:
    """A seeded open case 1, and what one manager, one casemanager and one
    HR user did during the run: case 10 reported and recovered, case 11
    reported and partly recovered, task 100 completed, document 7 read."""
    actions = Actions(
        reports=[
            {"employee": 501, "case": 10, "ok": True},
            {"employee": 502, "case": 11, "ok": True},
        ],
        recoveries=[
            {
                "case": 10,
                "full": True,
                "date": "2026-11-21",
                "percentage": 100,
                "ok": True,
            },
            {
                "case": 11,
                "full": False,
                "date": "2026-11-20",
                "percentage": 50,
                "ok": True,
            },
        ],
        completions=[{"task": 100, "user": CASEMANAGER, "ok": True}],
        downloads=[{"document": 7, "sha256": "ab" * 32}],
    )
    fresh = TimelineRow(stale=False, error="", rules_version="7", closed_on=None)
    db = Snapshot(
        cases={
            1: CaseRow(400, "open", "2026-01-05", None, False, 1),
            10: CaseRow(501, "recovered", "2026-11-20", "2026-11-21", True, 10),
            11: CaseRow(502, "open", "2026-11-18", None, True, 11),
        },
        changes={
            10: [("2026-11-20", 100), ("2026-11-21", 0)],
            11: [("2026-11-18", 100), ("2026-11-20", 50)],
        },
        task_keys=[
            (1, "legal", "probleemanalyse", 0),
            (1, "protocol", "contact_werknemer", 0),
            (11, "legal", "probleemanalyse", 0),
            (10, "legal", "probleemanalyse", 0),
        ],
        tasks={100: ("done", CASEMANAGER)},
        timelines={
            1: fresh,
            10: TimelineRow(
                stale=False, error="", rules_version="7", closed_on="2026-11-21"
            ),
            11: fresh,
        },
        expected_legal={1: {"probleemanalyse"}, 11: {"probleemanalyse"}},
        rules_version="7",
        notifications=[
            ("ziekmelding:10", MANAGER),
            ("ziekmelding:10", "werknemer-501@soak.example"),
            ("ziekmelding:11", MANAGER),
        ],
        mails=Counter({MANAGER: 2, "werknemer-501@soak.example": 2}),
        other_mails=Counter({"werknemer-501@soak.example": 1}),  # invitation
        deliveries={
            "e-10": ["delivered"],
            "e-11": ["delivered"],
            "e-100": ["delivered"],
        },
        received=Counter({"e-10": 1, "e-11": 1, "e-100": 1}),
        expected_events={
            "case.created:10": "e-10",
            "case.created:11": "e-11",
            "task.completed:100": "e-100",
        },
        documents={7: "ab" * 32},
    )
    return actions, db


def test_consistent_run_has_no_problems():
    assert consistency_problems(*_consistent()) == []


def _lost_case(a, db):
    del db.cases[11]


def _duplicate_case(a, db):
    db.cases[12] = CaseRow(502, "recovered", "2026-11-18", "2026-11-19", True, 12)


def _wrong_case(a, db):
    a.reports[1]["case"] = 99


def _phantom_case(a, db):
    db.cases[13] = CaseRow(777, "recovered", "2026-11-18", "2026-11-19", True, 13)


def _two_open(a, db):
    db.cases[12] = CaseRow(502, "open", "2026-11-19", None, False, 12)
    db.timelines[12] = db.timelines[11]


def _duplicate_task(a, db):
    db.task_keys.append((1, "legal", "probleemanalyse", 0))


def _stale(a, db):
    db.timelines[11] = TimelineRow(
        stale=True, error="", rules_version="7", closed_on=None
    )


def _no_timeline(a, db):
    del db.timelines[1]


def _old_rules(a, db):
    db.timelines[1] = TimelineRow(
        stale=False, error="", rules_version="6", closed_on=None
    )


def _missing_legal(a, db):
    db.expected_legal[11] = {"probleemanalyse", "plan_van_aanpak"}


def _recovery_lost(a, db):
    db.cases[10] = CaseRow(501, "open", "2026-11-20", None, True, 10)
    db.timelines[10] = db.timelines[11]


def _partial_lost(a, db):
    db.changes[11] = [("2026-11-18", 100)]


def _completion_lost(a, db):
    db.tasks[100] = ("open", None)


def _mail_twice(a, db):
    db.mails[MANAGER] += 1


def _unconfirmed(a, db):
    db.notifications = [n for n in db.notifications if n[0] != "ziekmelding:11"]
    db.mails[MANAGER] -= 1


def _webhook_twice(a, db):
    db.received["e-11"] += 1


def _webhook_lost(a, db):
    db.deliveries["e-100"] = ["failed"]


def _webhook_never_recorded(a, db):
    del db.deliveries["e-100"]
    del db.received["e-100"]


def _pdf_changed(a, db):
    db.documents[7] = "cd" * 32


def _log_error(a, db):
    db.log_errors.append("worker: ERROR/ForkPoolWorker-1 Task raised")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_lost_case, "ziekmelding reported but no case"),
        (_duplicate_case, "ziekmelding made more than one case"),
        (_wrong_case, "ziekmelding answered with another case"),
        (_phantom_case, "case nobody reported"),
        (_two_open, "employee with more than one open case"),
        (_duplicate_task, "duplicate task"),
        (_stale, "timeline is not refreshed"),
        (_no_timeline, "timeline is not refreshed"),
        (_old_rules, "timeline is not refreshed"),
        (_missing_legal, "without its legal tasks: case 11: ['plan_van_aanpak']"),
        (_recovery_lost, "recovery reported but not recorded"),
        (_partial_lost, "no partial recovery on 2026-11-20"),
        (_completion_lost, "task completed but not done"),
        (_mail_twice, "mails received differ from mails recorded"),
        (_unconfirmed, "ziekmelding without confirmation mail: case 11"),
        (_webhook_twice, "webhook not received exactly once"),
        (_webhook_lost, "webhook event not delivered"),
        (_webhook_never_recorded, "task.completed:100: no event"),
        (_pdf_changed, "downloaded PDF differs"),
        (_log_error, "errors in the server or worker logs"),
    ],
)
def test_each_inconsistency_is_reported(damage, message):
    actions, db = _consistent()
    damage(actions, db)
    problems = consistency_problems(actions, db)
    assert any(message in problem for problem in problems), problems


def test_a_failed_report_may_have_made_no_case_but_never_two():
    actions, db = _consistent()
    actions.reports.append({"employee": 503, "ok": False})  # timed out
    assert consistency_problems(actions, db) == []
    db.cases[20] = CaseRow(503, "open", "2026-11-20", None, True, 20)
    db.cases[21] = CaseRow(503, "recovered", "2026-11-18", "2026-11-19", True, 21)
    db.timelines[20] = db.timelines[11]
    problems = consistency_problems(actions, db)
    assert any("more than one case" in p for p in problems), problems


def test_latency_summary_uses_nearest_rank_and_counts_errors():
    samples = [(1.0, "queue", float(ms), 200, True) for ms in range(1, 101)]
    samples.append((61.0, "queue", 5000.0, 500, False))
    summary = latency_summary(samples)["queue"]
    assert summary["count"] == 101
    assert summary["errors"] == 1
    assert summary["p50_ms"] == 51.0
    assert summary["p95_ms"] == 96.0
    assert summary["max_ms"] == 5000.0
    assert summary["statuses"] == {"200": 100, "500": 1}
    minutes = per_minute(samples)
    assert [m["requests"] for m in minutes] == [100, 1]
    assert [m["errors"] for m in minutes] == [0, 1]
