"""Writes of the poortwachter app, split by sub-domain; import from here."""

from poortwachter.services.appointments import (
    appointment_cancel,
    appointment_invitations_sent,
    appointment_plan,
    appointment_reschedule,
)
from poortwachter.services.physician import (
    consult_record,
    fml_record,
    probleemanalyse_record,
)
from poortwachter.services.protocol import protocol_changed, protocol_install_default
from poortwachter.services.refresh import (
    BATCH_SIZE,
    PLANNING_HORIZON_DAYS,
    REPEAT_LOOKBACK_DAYS,
    case_chain,
    case_facts,
    chain_timeline,
    chain_timeline_json,
    chain_timelines,
    deadlines_refresh_for_case,
    deadlines_refresh_for_cases,
    timeline_mark_stale,
    timelines_refresh,
)
from poortwachter.services.tasks import task_complete, task_reassign, task_snooze

__all__ = [
    "BATCH_SIZE",
    "PLANNING_HORIZON_DAYS",
    "REPEAT_LOOKBACK_DAYS",
    "appointment_cancel",
    "appointment_invitations_sent",
    "appointment_plan",
    "appointment_reschedule",
    "case_chain",
    "case_facts",
    "chain_timeline",
    "chain_timeline_json",
    "chain_timelines",
    "consult_record",
    "deadlines_refresh_for_case",
    "deadlines_refresh_for_cases",
    "fml_record",
    "probleemanalyse_record",
    "protocol_changed",
    "protocol_install_default",
    "task_complete",
    "task_reassign",
    "task_snooze",
    "timeline_mark_stale",
    "timelines_refresh",
]
