"""Table-driven tests of the Poortwachter rules, each citing the rule it checks.

References are to ``shared/poortwachter-rules.md`` (§ and source ids). No
database and no clock: the rules are pure.
"""

import datetime as dt

import pytest

from poortwachter.rules import (
    CaseFacts,
    EmploymentEnd,
    FullRecovery,
    Outcome,
    PartialRecovery,
    ProbleemanalyseMade,
    Relapse,
    Vangnet,
    WazoLeave,
    compute_timeline,
)

D = dt.date.fromisoformat


def timeline(first_sick_day, *events, vangnet=None):
    return compute_timeline(
        CaseFacts(
            first_sick_day=D(first_sick_day), events=tuple(events), vangnet=vangnet
        )
    )


# --- §3 worked example, FSD Monday 3 March 2025 --------------------------------


@pytest.mark.parametrize(
    ("code", "opens", "due"),
    [
        ("probleemanalyse", None, "2025-04-13"),  # day 42, Sunday: not moved
        ("plan_van_aanpak", None, "2025-04-27"),  # day 56
        ("uwv_42_week_melding", None, "2025-12-22"),  # first working day after 294
        ("eerstejaarsevaluatie", "2026-01-12", "2026-03-01"),  # days 316-364
        ("eindevaluatie", None, "2026-11-29"),  # day 637
        ("actueel_oordeel", None, "2026-11-29"),
        ("wia_aanvraag", "2026-11-09", "2026-12-13"),  # days 617-651
        ("wage_period_last_day", None, "2027-02-28"),  # day 728
        ("wia_earliest_start", None, "2027-03-01"),  # day 729
    ],
)
def test_worked_example_fsd_3_march_2025(code, opens, due):
    """§3 table: every milestone of an unbroken period starting Mon 3 Mar 2025."""
    milestone = timeline("2025-03-03").milestone(code)
    assert milestone.applies
    assert milestone.due == D(due)
    assert milestone.opens == (D(opens) if opens else None)


def test_rvi_register_example_end_of_104_weeks():
    """§3 / S7: FSD 3 Jan 2022, the 104 weeks 'originally ended on 1 Jan 2024'."""
    assert timeline("2022-01-03").due("wia_earliest_start") == D("2024-01-01")


def test_rvi_register_example_21_fit_days_move_the_end_to_22_january():
    """§2.3 / S7: 21 fit days (4-24 Jul 2022) move the end to 22 Jan 2024."""
    t = timeline("2022-01-03", FullRecovery(D("2022-07-04")), Relapse(D("2022-07-25")))
    assert t.outcome == Outcome.COMBINED_PERIOD
    assert t.days_excluded_from_counter == 21
    assert t.due("wia_earliest_start") == D("2024-01-22")


def test_judex_example_relapse_after_two_weeks_is_no_new_waiting_time():
    """§3 / S12: ill from 1 Mar 2009, back 1 Jun, ill again 15 Jun: combined."""
    t = timeline("2009-03-01", FullRecovery(D("2009-06-01")), Relapse(D("2009-06-15")))
    assert t.counted_period_first_sick_day == D("2009-03-01")
    assert t.outcome == Outcome.COMBINED_PERIOD


# --- §2.2 the 28-day boundary ---------------------------------------------------


@pytest.mark.parametrize(
    ("fit_days", "combined"), [(20, True), (27, True), (28, False), (29, False)]
)
def test_fit_days_boundary(fit_days, combined):
    """§2.2: fewer than 28 fit days combine; 28 or more start a new case."""
    recovery = D("2025-01-20")
    relapse = recovery + dt.timedelta(days=fit_days)
    t = timeline("2025-01-06", FullRecovery(recovery), Relapse(relapse))
    if combined:
        assert t.outcome == Outcome.COMBINED_PERIOD
        assert t.counted_period_first_sick_day == D("2025-01-06")
        assert t.days_excluded_from_counter == fit_days
        # 14 sick days before the gap, so day 42 is the 28th day after it
        assert t.due("probleemanalyse") == relapse + dt.timedelta(days=27)
    else:
        assert t.outcome == Outcome.NEW_CASE
        assert t.counted_period_first_sick_day == relapse
        assert t.previous_case.first_sick_day == D("2025-01-06")
        assert t.previous_case.closed_on == recovery
        assert t.due("probleemanalyse") == relapse + dt.timedelta(days=41)


def test_deadline_inside_an_earlier_period_stays_where_it_was():
    """§2.3: dates that fell inside an earlier period of the chain do not move."""
    t = timeline("2025-01-06", FullRecovery(D("2025-03-03")), Relapse(D("2025-03-10")))
    assert t.due("probleemanalyse") == D("2025-02-16")  # day 42, in the first span
    assert t.due("plan_van_aanpak") == D("2025-03-02")  # day 56, last day of span 1
    # day 294 is after the 7-day gap: it moves by exactly 7 days, from Sunday
    # 26 Oct to Sunday 2 Nov 2025, so the report moves from 27 Oct to 3 Nov.
    assert timeline("2025-01-06").due("uwv_42_week_melding") == D("2025-10-27")
    assert t.due("uwv_42_week_melding") == D("2025-11-03")


# --- §2.4 partial recovery, §2.5 full recovery ---------------------------------


def test_partial_recovery_changes_no_date():
    """§2.4: partial recovery does not stop, pause or shift any clock."""
    plain = timeline("2025-03-03")
    partial = timeline(
        "2025-03-03",
        PartialRecovery(D("2025-04-01"), 50),
        PartialRecovery(D("2025-06-01"), 80),
    )
    assert partial.milestones == plain.milestones
    assert partial.outcome == Outcome.OPEN_SINGLE_PERIOD


@pytest.mark.parametrize(
    ("recovery", "pa_applies", "pva_applies"),
    [
        ("2025-04-13", False, False),  # hersteldatum on day 42 itself: lapses
        ("2025-04-14", True, False),  # one day later: PA was due, PvA lapses
        ("2025-04-28", True, True),  # after day 56: both were due
    ],
)
def test_full_recovery_lapses_milestones_on_or_after_hersteldatum(
    recovery, pa_applies, pva_applies
):
    """§2.5 / DESIGN §6: a milestone is due only when it is before the hersteldatum."""
    t = timeline("2025-03-03", FullRecovery(D(recovery)))
    assert t.outcome == Outcome.CLOSED_RECOVERED
    assert (t.due("probleemanalyse") is not None) is pa_applies
    assert (t.due("plan_van_aanpak") is not None) is pva_applies
    assert t.due("uwv_42_week_melding") is None
    assert t.due("wia_earliest_start") is None


# --- §2.6 WAZO leave -----------------------------------------------------------


def test_wazo_leave_same_cause_combines_and_excludes_leave_days():
    """§2.6 / BW 7:629 lid 10: sick directly before and after, same cause."""
    leave = WazoLeave(D("2025-02-03"), D("2025-05-25"), True, True, True)  # 112 days
    t = timeline("2025-01-06", leave)
    assert t.outcome == Outcome.COMBINED_PERIOD
    assert t.days_excluded_from_counter == 112
    # 28 sick days before the leave; day 42 is the 14th day after it
    assert t.due("probleemanalyse") == D("2025-05-26") + dt.timedelta(days=13)


def test_wazo_leave_different_cause_starts_new_case_after_the_leave():
    """§2.6: another cause: the leave is an interruption of >= 4 weeks."""
    leave = WazoLeave(D("2025-02-03"), D("2025-05-25"), True, True, False)
    t = timeline("2025-01-06", leave)
    assert t.outcome == Outcome.NEW_CASE
    assert t.counted_period_first_sick_day == D("2025-05-26")
    assert t.previous_case.first_sick_day == D("2025-01-06")
    assert t.previous_case.closed_on == D("2025-02-03")
    assert t.due("probleemanalyse") == D("2025-05-26") + dt.timedelta(days=41)


def test_wazo_leave_not_adjoining_counts_as_interruption():
    """§2.6: periods that do not adjoin the leave are not combined through it."""
    leave = WazoLeave(D("2025-02-10"), D("2025-06-01"), False, True, True)
    t = timeline("2025-01-06", FullRecovery(D("2025-02-03")), leave)
    assert t.outcome == Outcome.NEW_CASE
    assert t.counted_period_first_sick_day == D("2025-06-02")


# --- §1.9 ziek uit dienst ------------------------------------------------------


@pytest.mark.parametrize(
    ("sick_days", "riv"),
    [(41, "none"), (42, "verkort"), (69, "verkort"), (70, "volledig")],
)
def test_ziek_uit_dienst_reintegratieverslag_by_sick_days(sick_days, riv):
    """§1.9: < 42 none, 42-69 verkort, >= 70 volledig (with eindevaluatie)."""
    fsd = D("2025-03-03")
    end = fsd + dt.timedelta(days=sick_days - 1)
    t = timeline("2025-03-03", EmploymentEnd(end))
    assert t.outcome == Outcome.ZIEK_UIT_DIENST
    zud = t.ziek_uit_dienst
    assert zud.sick_days_at_end_of_employment == sick_days
    assert zud.reintegratieverslag_required.value == riv
    assert zud.eindevaluatie_required is (riv == "volledig")
    assert zud.melding_due == end


def test_ziek_uit_dienst_lapses_milestones_after_last_day():
    """§1.9: milestones after the last day of employment lapse; on it, they apply."""
    t = timeline("2025-03-03", EmploymentEnd(D("2025-04-13")))  # day 42
    assert t.due("probleemanalyse") == D("2025-04-13")
    assert t.due("plan_van_aanpak") is None
    assert t.due("uwv_42_week_melding") is None


def test_employment_end_after_recovery_is_not_ziek_uit_dienst():
    t = timeline(
        "2025-03-03", FullRecovery(D("2025-03-20")), EmploymentEnd(D("2025-04-30"))
    )
    assert t.outcome == Outcome.CLOSED_RECOVERED
    assert t.ziek_uit_dienst.melding_due is None
    assert t.ziek_uit_dienst.reintegratieverslag_required.value == "none"


def test_ziek_uit_dienst_counts_only_sick_days_of_the_chain():
    """§2.3 + §1.9: fit days in a combined chain are not sick days at the end."""
    t = timeline(
        "2025-03-03",
        FullRecovery(D("2025-03-31")),  # 28 sick days
        Relapse(D("2025-04-20")),  # 20 fit days
        EmploymentEnd(D("2025-05-10")),  # 21 more sick days
    )
    assert t.ziek_uit_dienst.sick_days_at_end_of_employment == 49
    assert t.ziek_uit_dienst.reintegratieverslag_required.value == "verkort"


# --- §1.10 vangnet --------------------------------------------------------------


@pytest.mark.parametrize(
    ("vangnet", "due"),
    [
        (Vangnet.FICTIEF_DIENSTVERBAND, "2025-03-06"),
        (Vangnet.FLEXIBILISERINGSPERIODE, "2025-03-06"),
        (Vangnet.ZIEK_DOOR_BEVALLING_NA_VERLOF, "2025-03-06"),
        (Vangnet.ZIEK_DOOR_ZWANGERSCHAP_VOOR_VERLOF, "2025-04-13"),
        (Vangnet.NO_RISK_POLIS, "2025-04-13"),
        (Vangnet.ORGAANDONATIE, "2025-04-13"),
    ],
)
def test_vangnet_report_on_day_4_or_day_42(vangnet, due):
    """§1.10 / art. 38a ZW: day 4 or within six weeks, by category."""
    assert timeline("2025-03-03", vangnet=vangnet).vangnet_uwv_ziekmelding_due == D(due)


def test_vangnet_no_riskpolis_recovered_reports_with_betermelding():
    """§1.10: already recovered: the ziekmelding goes with the betermelding."""
    t = timeline(
        "2025-03-03", FullRecovery(D("2025-03-20")), vangnet=Vangnet.NO_RISK_POLIS
    )
    assert t.vangnet_uwv_ziekmelding_due == D("2025-03-22")


# --- §1.3 plan van aanpak after a late probleemanalyse ---------------------------


def test_plan_van_aanpak_is_pa_plus_14_when_pa_was_late():
    """§1.3 / art. 2 lid 3 Regeling: a late PA gives PvA = PA date + 14."""
    t = timeline("2025-03-03", ProbleemanalyseMade(D("2025-04-22")))
    assert t.due("plan_van_aanpak") == D("2025-05-06")


def test_plan_van_aanpak_stays_in_week_8_when_pa_was_on_time():
    t = timeline("2025-03-03", ProbleemanalyseMade(D("2025-04-10")))
    assert t.due("plan_van_aanpak") == D("2025-04-27")


# --- §1.5 the 42-week report: first working day after week 42 --------------------


@pytest.mark.parametrize(
    ("first_sick_day", "due", "why"),
    [
        ("2025-03-03", "2025-12-22", "Monday start: day 295 is a Monday"),
        ("2025-03-01", "2025-12-22", "Saturday start: day 295 is Saturday -> Monday"),
        ("2025-03-06", "2025-12-29", "day 295 is Christmas: both Kerstdagen + weekend"),
        ("2025-07-15", "2026-05-06", "day 295 is 5 mei (every year, ATW art. 3)"),
        ("2025-07-07", "2026-04-28", "day 295 is Koningsdag, Monday 27 April 2026"),
        ("2025-07-24", "2026-05-15", "day 295 is Hemelvaartsdag 2026"),
        ("2025-06-13", "2026-04-03", "Goede vrijdag is not an ATW holiday"),
        ("2025-08-04", "2026-05-26", "day 295 is Tweede pinksterdag 2026"),
    ],
)
def test_42_week_report_on_first_working_day_after_week_42(first_sick_day, due, why):
    """§1.5 / S3: 'uiterlijk de eerste werkdag na de 42e ziekteweek'."""
    assert timeline(first_sick_day).due("uwv_42_week_melding") == D(due), why


def test_other_legal_dates_are_not_moved_off_a_weekend():
    """DESIGN §6: only the 42-week report is moved; plan-by is the working day."""
    pa = timeline("2025-03-03").milestone("probleemanalyse")
    assert pa.due == D("2025-04-13")  # Sunday
    assert pa.plan_by == D("2025-04-11")  # Friday


def test_plan_by_skips_holidays_backwards():
    # due Sunday 28 Dec 2025; 26 and 25 Dec are holidays -> Wednesday 24 Dec
    t = timeline("2025-11-17")  # day 42 = 28 Dec 2025
    assert t.milestone("probleemanalyse").plan_by == D("2025-12-24")


def test_rules_are_deterministic():
    facts = CaseFacts(
        D("2025-01-06"), (FullRecovery(D("2025-02-03")), Relapse(D("2025-02-23")))
    )
    assert compute_timeline(facts) == compute_timeline(facts)
