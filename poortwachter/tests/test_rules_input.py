"""The JSON boundary: `python -m poortwachter.rules`, and its errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from poortwachter.rules import RulesInputError, facts_from_json

ROOT = Path(__file__).resolve().parents[2]

ISSUE_EXAMPLE = {
    "first_sick_day": "2025-01-06",
    "events": [
        {"type": "full_recovery", "date": "2025-02-03"},
        {"type": "relapse", "date": "2025-02-23"},
        {"type": "partial_recovery", "date": "2025-04-01", "percentage_fit": 50},
        {
            "type": "wazo_leave",
            "start": "2025-04-14",
            "end": "2025-08-03",
            "sick_directly_before": True,
            "sick_directly_after": True,
            "same_cause": True,
        },
        {"type": "employment_end", "date": "2025-05-23"},
    ],
    "flags": {"vangnet": "no_risk_polis"},
}


def run(document):
    text = document if isinstance(document, str) else json.dumps(document)
    return subprocess.run(
        [sys.executable, "-m", "poortwachter.rules"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )


def test_cli_prints_the_timeline_of_the_issue_example():
    result = run(ISSUE_EXAMPLE)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["outcome"] == "ziek_uit_dienst"
    assert out["counted_period_first_sick_day"] == "2025-01-06"
    # 20 fit days + 112 leave days are left out of the counter
    assert out["days_excluded_from_counter"] == 132
    assert out["deadlines"]["probleemanalyse_due"] == "2025-03-08"
    assert out["deadlines"]["plan_van_aanpak_due"] == "2025-03-22"
    assert out["deadlines"]["uwv_42_week_melding_due"] is None  # after the end
    assert out["vangnet_uwv_ziekmelding_due"] == "2025-03-08"
    assert out["ziek_uit_dienst_melding_due"] == "2025-05-23"
    assert out["sick_days_at_end_of_employment"] == 78
    assert out["reintegratieverslag_required"] == "volledig"
    assert out["eindevaluatie_required"] is True
    assert out["previous_case"] is None
    assert out["rules_version"]


def test_optional_fields_are_absent_without_their_event_or_flag():
    out = json.loads(run({"first_sick_day": "2025-03-03"}).stdout)
    assert "vangnet_uwv_ziekmelding_due" not in out
    assert "ziek_uit_dienst_melding_due" not in out
    assert "reintegratieverslag_required" not in out
    assert out["deadlines"]["wia_application_window"] == {
        "opens": "2026-11-09",
        "due": "2026-12-13",
    }


def test_new_case_reports_the_previous_case():
    out = json.loads(
        run(
            {
                "first_sick_day": "2025-01-06",
                "events": [
                    {"type": "full_recovery", "date": "2025-02-03"},
                    {"type": "relapse", "date": "2025-03-03"},
                ],
            }
        ).stdout
    )
    assert out["outcome"] == "new_case"
    assert out["counted_period_first_sick_day"] == "2025-03-03"
    assert out["previous_case"] == {
        "first_sick_day": "2025-01-06",
        "closed_on": "2025-02-03",
    }
    assert out["deadlines"]["probleemanalyse_due"] == "2025-04-13"


BAD_INPUT = [
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [{"type": "holiday", "date": "2025-02-01"}],
        },
        "unknown event type 'holiday'",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [
                {"type": "full_recovery", "date": "2025-02-03"},
                {"type": "relapse", "date": "2025-01-20"},
            ],
        },
        "out of order",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [
                {
                    "type": "wazo_leave",
                    "start": "2025-02-03",
                    "end": "2025-05-25",
                    "sick_directly_before": True,
                    "sick_directly_after": True,
                    "same_cause": True,
                },
                {
                    "type": "wazo_leave",
                    "start": "2025-05-01",
                    "end": "2025-06-25",
                    "sick_directly_before": True,
                    "sick_directly_after": True,
                    "same_cause": True,
                },
            ],
        },
        "overlaps the leave",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [{"type": "relapse", "date": "2025-02-03"}],
        },
        "already sick",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [
                {"type": "full_recovery", "date": "2025-02-03"},
                {"type": "full_recovery", "date": "2025-02-10"},
            ],
        },
        "not sick",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [
                {
                    "type": "partial_recovery",
                    "date": "2025-02-03",
                    "percentage_fit": 100,
                }
            ],
        },
        "percentage_fit",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [
                {"type": "employment_end", "date": "2025-02-03"},
                {"type": "full_recovery", "date": "2025-02-10"},
            ],
        },
        "after the employment_end",
    ),
    ({"first_sick_day": "2025-13-06"}, "is not a date"),
    ({"events": []}, "Missing 'first_sick_day'"),
    ({"first_sick_day": "2025-01-06", "flags": {"vangnet": "zzp"}}, "Unknown vangnet"),
    (
        {"first_sick_day": "2025-01-06", "events": [{"type": "relapse"}]},
        "missing 'date'",
    ),
    (
        {
            "first_sick_day": "2025-01-06",
            "events": [{"type": "full_recovery", "date": "2025-01-06"}],
        },
        "after the first sick day",
    ),
]


@pytest.mark.parametrize(("document", "message"), BAD_INPUT)
def test_bad_input_exits_non_zero_with_one_line(document, message):
    result = run(document)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]
    assert result.stdout == ""


def test_invalid_json_is_one_line_too():
    result = run("{not json")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("document", "message"), BAD_INPUT[:3])
def test_parser_raises_rules_input_error(document, message):
    from poortwachter.rules import compute_timeline

    with pytest.raises(RulesInputError, match=message.split("'")[0]):
        compute_timeline(facts_from_json(document))
