"""The default protocol every new tenant starts with (DESIGN.md §6, seeds 000-004).

Plain data; ``services.protocol_install_default`` writes it as
``ProtocolStep`` rows, which the tenant admin then edits. A step with a
``route`` applies only to cases on that route (decided after triage).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultStep:
    code: str
    title: str
    title_en: str
    anchor: str
    offset: int
    unit: str
    role: str
    repeat_every_weeks: int | None = None
    route: str = ""


DEFAULT_PROTOCOL: tuple[DefaultStep, ...] = (
    DefaultStep(
        "triage_vragenlijst",
        "Triagevragenlijst naar de werknemer sturen",
        "Send the triage questionnaire to the employee",
        "ziekmelding",
        1,
        "calendar_days",
        "regiehouder",
    ),
    DefaultStep(
        "contact_werknemer",
        "Werknemer bellen over de ziekmelding",
        "Call the employee about the sickness report",
        "ziekmelding",
        2,
        "working_days",
        "casemanager",
    ),
    DefaultStep(
        "contact_leidinggevende",
        "Contact met de leidinggevende over de ziekmelding",
        "Contact the manager about the sickness report",
        "ziekmelding",
        3,
        "working_days",
        "regiehouder",
    ),
    DefaultStep(
        "melding_bedrijfsarts",
        "Verzuim melden bij de bedrijfsarts (week 1)",
        "Report the absence to the company doctor (week 1)",
        "first_sick_day",
        6,
        "calendar_days",
        "casemanager",
    ),
    DefaultStep(
        "contact_wekelijks",
        "Wekelijks contact met de werknemer",
        "Weekly contact with the employee",
        "first_sick_day",
        7,
        "calendar_days",
        "leidinggevende",
        1,
    ),
    DefaultStep(
        "triage_dag_11",
        "Triage dag 11 (UVA) en VAR-vragenlijst",
        "Day-11 triage (UVA) and VAR questionnaire",
        "first_sick_day",
        10,
        "calendar_days",
        "regiehouder",
    ),
    DefaultStep(
        "aandacht_dag_28",
        "Dag 28: voortgang en route (regulier/complex) beoordelen",
        "Day 28: review progress and route (standard/complex)",
        "first_sick_day",
        27,
        "calendar_days",
        "regiehouder",
    ),
    DefaultStep(
        "voortgangsgesprek",
        "Voortgangsgesprek en evaluatie plan van aanpak",
        "Progress meeting and evaluation of the action plan",
        "plan_van_aanpak",
        6,
        "weeks",
        "regiehouder",
        6,
    ),
    DefaultStep(
        "wia_inkomensinzicht",
        "Week 26: inzicht in het WIA-inkomen met de werknemer",
        "Week 26: WIA income insight with the employee",
        "first_sick_day",
        25,
        "weeks",
        "regiehouder",
    ),
    DefaultStep(
        "bijstelling_probleemanalyse",
        "Week 42: bijstelling probleemanalyse",
        "Week 42: update of the problem analysis",
        "first_sick_day",
        41,
        "weeks",
        "bedrijfsarts",
    ),
    DefaultStep(
        "digid_actueel_oordeel",
        "Week 82: DigiD-check en actueel oordeel inplannen",
        "Week 82: DigiD check and schedule the current judgement",
        "first_sick_day",
        81,
        "weeks",
        "casemanager",
    ),
    DefaultStep(
        "wia_dossier",
        "Week 88: WIA-dossier en re-integratieverslag voorbereiden",
        "Week 88: prepare the WIA file and re-integration report",
        "first_sick_day",
        87,
        "weeks",
        "casemanager",
    ),
    # The complex route only. Seed 001: "Complex: inzet casemanagement vanaf
    # dag 1". Seed 000: the regiehouder decides in a multidisciplinary
    # meeting and plans the bedrijfsarts "indien noodzakelijk vanwege de
    # klachten" (weeks 2-6); a Vroegtijdig Inzicht Rapport from an
    # arbeidsdeskundig view follows the probleemanalyse (weeks 6-13). Seed
    # 004: the arbeidsdeskundige is weighed early, with short lines to the
    # arbodienst. A fortnightly casusoverleg keeps such a case in view.
    DefaultStep(
        "complex_casusoverleg",
        "Complexe route: multidisciplinair casusoverleg",
        "Complex route: multidisciplinary case meeting",
        "first_sick_day",
        2,
        "weeks",
        "regiehouder",
        2,
        "complex",
    ),
    DefaultStep(
        "complex_consult_bedrijfsarts",
        "Complexe route: consult bedrijfsarts inplannen (vóór week 4)",
        "Complex route: schedule a company doctor consult (before week 4)",
        "first_sick_day",
        20,
        "calendar_days",
        "regiehouder",
        None,
        "complex",
    ),
    DefaultStep(
        "complex_arbeidsdeskundig_advies",
        "Complexe route: arbeidsdeskundig advies (vroegtijdig inzicht) in week 8",
        "Complex route: labour expert advice (early insight) in week 8",
        "first_sick_day",
        7,
        "weeks",
        "casemanager",
        None,
        "complex",
    ),
)
