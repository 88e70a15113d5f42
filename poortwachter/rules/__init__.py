"""The Poortwachter rules: pure Python, standard library plus ``holidays``.

No Django, no clock, no database: facts in (frozen dataclasses of dates),
timeline out. ``today`` is never read; callers that need it pass it in.
Every behaviour change bumps ``RULES_VERSION``, which is stored with every
persisted deadline so a past date can be explained later.
"""

from poortwachter.rules.jsonio import facts_from_json, timeline_to_json
from poortwachter.rules.milestones import ALL_MILESTONES, MILESTONES, Milestone
from poortwachter.rules.timeline import RULES_VERSION, compute_timeline
from poortwachter.rules.types import (
    CaseFacts,
    EmploymentEnd,
    FullRecovery,
    MilestoneDate,
    Outcome,
    PartialRecovery,
    ProbleemanalyseMade,
    Relapse,
    RulesInputError,
    Timeline,
    Vangnet,
    WazoLeave,
)

__all__ = [
    "ALL_MILESTONES",
    "MILESTONES",
    "RULES_VERSION",
    "CaseFacts",
    "EmploymentEnd",
    "FullRecovery",
    "Milestone",
    "MilestoneDate",
    "Outcome",
    "PartialRecovery",
    "ProbleemanalyseMade",
    "Relapse",
    "RulesInputError",
    "Timeline",
    "Vangnet",
    "WazoLeave",
    "compute_timeline",
    "facts_from_json",
    "timeline_to_json",
]
