"""The JSON boundary of the rules: case facts in, timeline out.

Used by ``python -m poortwachter.rules`` and later by the API. Input errors
raise ``RulesInputError`` with a one-line message that names the problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poortwachter.rules.types import (
    CaseFacts,
    EmploymentEnd,
    Event,
    FullRecovery,
    PartialRecovery,
    ProbleemanalyseMade,
    Relapse,
    RulesInputError,
    Timeline,
    Vangnet,
    WazoLeave,
)

_EVENT_FIELDS: dict[str, dict[str, type]] = {
    "full_recovery": {"date": dt.date},
    "relapse": {"date": dt.date},
    "partial_recovery": {"date": dt.date, "percentage_fit": int},
    "wazo_leave": {
        "start": dt.date,
        "end": dt.date,
        "sick_directly_before": bool,
        "sick_directly_after": bool,
        "same_cause": bool,
    },
    "employment_end": {"date": dt.date},
    "probleemanalyse": {"date": dt.date},
}
_EVENT_CLASSES: dict[str, type] = {
    "full_recovery": FullRecovery,
    "relapse": Relapse,
    "partial_recovery": PartialRecovery,
    "wazo_leave": WazoLeave,
    "employment_end": EmploymentEnd,
    "probleemanalyse": ProbleemanalyseMade,
}


def _date(value: Any, where: str) -> dt.date:
    if not isinstance(value, str):
        raise RulesInputError(f"{where}: expected a date as YYYY-MM-DD.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RulesInputError(
            f"{where}: {value!r} is not a date (YYYY-MM-DD)."
        ) from None


def _value(raw: dict[str, Any], name: str, kind: type, where: str) -> Any:
    if name not in raw:
        raise RulesInputError(f"{where}: missing {name!r}.")
    value = raw[name]
    if kind is dt.date:
        return _date(value, f"{where} {name}")
    # bool is an int subclass: check exactly.
    if type(value) is not kind:
        raise RulesInputError(f"{where}: {name!r} must be {kind.__name__}.")
    return value


def _event(raw: Any, index: int) -> Event:
    where = f"event {index + 1}"
    if not isinstance(raw, dict):
        raise RulesInputError(f"{where}: expected an object.")
    kind = raw.get("type")
    if kind not in _EVENT_FIELDS:
        known = ", ".join(_EVENT_FIELDS)
        raise RulesInputError(f"{where}: unknown event type {kind!r} (known: {known}).")
    fields = _EVENT_FIELDS[kind]
    unknown = set(raw) - set(fields) - {"type"}
    if unknown:
        raise RulesInputError(
            f"{where} ({kind}): unknown field(s) {', '.join(sorted(unknown))}."
        )
    values = {
        name: _value(raw, name, t, f"{where} ({kind})") for name, t in fields.items()
    }
    return _EVENT_CLASSES[kind](**values)


def facts_from_json(data: Any) -> CaseFacts:
    """Parse and check the input document; raises ``RulesInputError``."""
    if not isinstance(data, dict):
        raise RulesInputError("The input must be a JSON object.")
    unknown = set(data) - {"first_sick_day", "events", "flags"}
    if unknown:
        raise RulesInputError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if "first_sick_day" not in data:
        raise RulesInputError("Missing 'first_sick_day'.")
    first_sick_day = _date(data["first_sick_day"], "first_sick_day")
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise RulesInputError("'events' must be a list.")
    events = tuple(_event(raw, i) for i, raw in enumerate(raw_events))
    flags = data.get("flags", {})
    if not isinstance(flags, dict):
        raise RulesInputError("'flags' must be an object.")
    unknown = set(flags) - {"vangnet"}
    if unknown:
        raise RulesInputError(f"Unknown flag(s): {', '.join(sorted(unknown))}.")
    vangnet = flags.get("vangnet")
    if vangnet is not None:
        try:
            vangnet = Vangnet(vangnet)
        except ValueError:
            known = ", ".join(v.value for v in Vangnet)
            raise RulesInputError(
                f"Unknown vangnet {vangnet!r} (known: {known})."
            ) from None
    return CaseFacts(first_sick_day=first_sick_day, events=events, vangnet=vangnet)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def timeline_to_json(timeline: Timeline, facts: CaseFacts) -> dict[str, Any]:
    """The output document: dates as YYYY-MM-DD, a lapsed deadline as null."""

    def window(code: str) -> dict[str, str | None] | None:
        milestone = timeline.milestone(code)
        if not milestone.applies:
            return None
        return {"opens": _iso(milestone.opens), "due": _iso(milestone.due)}

    due = timeline.due
    out: dict[str, Any] = {
        "rules_version": timeline.rules_version,
        "outcome": timeline.outcome.value,
        "counted_period_first_sick_day": _iso(timeline.counted_period_first_sick_day),
        "days_excluded_from_counter": timeline.days_excluded_from_counter,
        "deadlines": {
            "probleemanalyse_due": _iso(due("probleemanalyse")),
            "plan_van_aanpak_due": _iso(due("plan_van_aanpak")),
            "uwv_42_week_melding_due": _iso(due("uwv_42_week_melding")),
            "eerstejaarsevaluatie_window": window("eerstejaarsevaluatie"),
            "eindevaluatie_and_actueel_oordeel_due": _iso(due("eindevaluatie")),
            "wia_application_window": window("wia_aanvraag"),
            "wage_period_last_day": _iso(due("wage_period_last_day")),
            "wia_earliest_start": _iso(due("wia_earliest_start")),
        },
    }
    if facts.vangnet is not None:
        out["vangnet_uwv_ziekmelding_due"] = _iso(timeline.vangnet_uwv_ziekmelding_due)
    zud = timeline.ziek_uit_dienst
    if zud is not None:
        out["ziek_uit_dienst_melding_due"] = _iso(zud.melding_due)
        out["sick_days_at_end_of_employment"] = zud.sick_days_at_end_of_employment
        out["reintegratieverslag_required"] = zud.reintegratieverslag_required.value
        out["eindevaluatie_required"] = zud.eindevaluatie_required
    previous = timeline.previous_case
    out["previous_case"] = (
        {
            "first_sick_day": _iso(previous.first_sick_day),
            "closed_on": _iso(previous.closed_on),
        }
        if previous is not None
        else None
    )
    return out
