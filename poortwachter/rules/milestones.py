"""The legal milestones of the Wet verbetering Poortwachter, as data.

Each row says which counted sick day (``sick_day``) fixes the date, how the
date is derived, the role that acts on it, and its legal basis with the
source ids of ``shared/poortwachter-rules.md``. The plan van aanpak's
exception (probleemanalyse given late) is applied in ``timeline.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DateRule(enum.StrEnum):
    SICK_DAY = "sick_day"  # the date of counted sick day N, never moved
    FIRST_WORKING_DAY_AFTER = "first_working_day_after"  # after sick day N
    DAY_AFTER = "day_after"  # the calendar day after sick day N


@dataclass(frozen=True)
class Milestone:
    code: str
    label: str
    sick_day: int
    date_rule: DateRule
    role: str
    legal_basis: str
    opens_at_sick_day: int | None = None
    creates_task: bool = True


PROBLEEMANALYSE = Milestone(
    code="probleemanalyse",
    label="Probleemanalyse bedrijfsarts",
    sick_day=42,
    date_rule=DateRule.SICK_DAY,
    role="bedrijfsarts",
    legal_basis=(
        "Regeling procesgang eerste en tweede ziektejaar art. 2 lid 2: the "
        "bedrijfsarts' judgement 'binnen zes weken na de eerste dag van "
        "ongeschiktheid' (S2, S1, S45); due on the last day of week 6."
    ),
)
PLAN_VAN_AANPAK = Milestone(
    code="plan_van_aanpak",
    label="Plan van aanpak",
    sick_day=56,
    date_rule=DateRule.SICK_DAY,
    role="regiehouder",
    legal_basis=(
        "Regeling procesgang art. 4: within two weeks of the probleemanalyse, at "
        "the latest in week 8 (S4, S1, S44); PA date + 14 when the "
        "probleemanalyse was late (art. 2 lid 3, 'onverwijld')."
    ),
)
UWV_42_WEEK_MELDING = Milestone(
    code="uwv_42_week_melding",
    label="42e-weeksmelding aan UWV",
    sick_day=294,
    date_rule=DateRule.FIRST_WORKING_DAY_AFTER,
    role="hr",
    legal_basis=(
        "Art. 38 lid 1 Ziektewet; UWV: 'uiterlijk de eerste werkdag na de 42e "
        "ziekteweek', weeks added together under samentelling (S3, S1, S5, S30). "
        "Working day: Mon-Fri, not an Algemene termijnenwet holiday."
    ),
)
EERSTEJAARSEVALUATIE = Milestone(
    code="eerstejaarsevaluatie",
    label="Eerstejaarsevaluatie",
    sick_day=364,
    opens_at_sick_day=316,
    date_rule=DateRule.SICK_DAY,
    role="regiehouder",
    legal_basis=(
        "Regeling procesgang art. 4 lid 2 b (Stcrt 2004, 213): evaluation 'in "
        "ieder geval aan het einde van het eerste ziektejaar'; window weeks "
        "46-52 (S47, S31, S35, seed 002)."
    ),
)
EINDEVALUATIE = Milestone(
    code="eindevaluatie",
    label="Eindevaluatie plan van aanpak",
    sick_day=637,
    date_rule=DateRule.SICK_DAY,
    role="regiehouder",
    legal_basis=(
        "Regeling procesgang art. 6 (re-integratieverslag); due two weeks before "
        "the WIA application must be sent, end of week 91 (S22, S32, S1)."
    ),
)
ACTUEEL_OORDEEL = Milestone(
    code="actueel_oordeel",
    label="Actueel oordeel bedrijfsarts",
    sick_day=637,
    date_rule=DateRule.SICK_DAY,
    role="bedrijfsarts",
    legal_basis=(
        "Beleidsregels vorm- en herkenbaarheidsvereisten reïntegratieverslagen "
        "art. 2 c; Poortwachtersloket: two weeks before the WIA application, end "
        "of week 91 (S26, S32)."
    ),
)
WIA_AANVRAAG = Milestone(
    code="wia_aanvraag",
    label="WIA-aanvraag met re-integratieverslag",
    sick_day=651,
    opens_at_sick_day=617,
    date_rule=DateRule.SICK_DAY,
    role="hr",
    legal_basis=(
        "Art. 64 lid 3 WIA (since 2013): at the latest 11 weeks before the end "
        "of the waiting time, the end of week 93; UWV writes after 88 weeks "
        "(S10, S25, S1, S32)."
    ),
)
WAGE_PERIOD_LAST_DAY = Milestone(
    code="wage_period_last_day",
    label="Laatste dag loondoorbetaling (104 weken)",
    sick_day=728,
    date_rule=DateRule.SICK_DAY,
    role="hr",
    legal_basis="Art. 7:629 lid 1 BW; 104 weeks = 728 counted sick days (S7, S6).",
    creates_task=False,
)
WIA_EARLIEST_START = Milestone(
    code="wia_earliest_start",
    label="Vroegste ingangsdatum WIA",
    sick_day=728,
    date_rule=DateRule.DAY_AFTER,
    role="hr",
    legal_basis=(
        "Art. 23 WIA: the benefit can start after the 104-week waiting time; "
        "RVI register example checks FSD + 728 (S7)."
    ),
    creates_task=False,
)

MILESTONES: tuple[Milestone, ...] = (
    PROBLEEMANALYSE,
    PLAN_VAN_AANPAK,
    UWV_42_WEEK_MELDING,
    EERSTEJAARSEVALUATIE,
    EINDEVALUATIE,
    ACTUEEL_OORDEEL,
    WIA_AANVRAAG,
    WAGE_PERIOD_LAST_DAY,
    WIA_EARLIEST_START,
)

# Vangnet: report the illness to UWV on sick day 4 or within six weeks
# (art. 38a Ziektewet; rules §1.10, S18, S19, S37).
VANGNET_DAY_4 = frozenset(
    {
        "fictief_dienstverband",
        "flexibiliseringsperiode",
        "ziek_door_bevalling_na_verlof",
    }
)
VANGNET_DAY_42 = frozenset(
    {"ziek_door_zwangerschap_voor_verlof", "no_risk_polis", "orgaandonatie"}
)
VANGNET_MELDING = Milestone(
    code="vangnet_uwv_ziekmelding",
    label="Ziekmelding vangnet aan UWV",
    sick_day=4,
    date_rule=DateRule.SICK_DAY,
    role="hr",
    legal_basis=(
        "Art. 38a Ziektewet: day 4 for fictief dienstverband, the "
        "flexibiliseringsperiode and illness from childbirth after the leave; "
        "within six weeks (day 42) for no-riskpolis, orgaandonatie and illness "
        "from pregnancy before the leave (S18, S19, S20, S37)."
    ),
)
ZIEK_UIT_DIENST_MELDING = Milestone(
    code="ziek_uit_dienst_melding",
    label="Ziek-uit-dienstmelding aan UWV",
    sick_day=1,
    date_rule=DateRule.SICK_DAY,
    role="hr",
    legal_basis=(
        "UWV: report an employee who is ill when the contract ends on the last "
        "working day of the contract (S3, S18, S21); re-integratieverslag none "
        "below 6 weeks, verkort 6-10 weeks, volledig from 10 weeks (S21, S22, "
        "seed 003)."
    ),
)
ALL_MILESTONES: tuple[Milestone, ...] = (
    *MILESTONES,
    VANGNET_MELDING,
    ZIEK_UIT_DIENST_MELDING,
)
