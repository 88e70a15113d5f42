"""Property tests of the rules (hypothesis): invariants over many cases."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from poortwachter.rules import (
    CaseFacts,
    FullRecovery,
    Outcome,
    PartialRecovery,
    Relapse,
    compute_timeline,
)

first_sick_days = st.dates(
    min_value=dt.date(2005, 1, 1), max_value=dt.date(2045, 12, 31)
)
DAY = dt.timedelta(days=1)


def _applied(timeline):
    return {m.code: m.due for m in timeline.milestones if m.applies}


@settings(max_examples=200, deadline=None)
@given(
    fsd=first_sick_days,
    offsets=st.lists(st.integers(min_value=0, max_value=700), max_size=5, unique=True),
    percentages=st.lists(
        st.integers(min_value=1, max_value=99), min_size=5, max_size=5
    ),
)
def test_partial_recovery_never_changes_a_date(fsd, offsets, percentages):
    events = tuple(
        PartialRecovery(fsd + offset * DAY, pct)
        for offset, pct in zip(sorted(offsets), percentages, strict=False)
    )
    plain = compute_timeline(CaseFacts(fsd))
    partial = compute_timeline(CaseFacts(fsd, events))
    assert partial.milestones == plain.milestones


@settings(max_examples=200, deadline=None)
@given(
    fsd=first_sick_days,
    sick=st.integers(min_value=1, max_value=400),
    fit=st.integers(min_value=28, max_value=400),
)
def test_gap_of_28_fit_days_gives_a_case_equal_to_a_fresh_one(fsd, sick, fit):
    recovery = fsd + sick * DAY
    relapse = recovery + fit * DAY
    chained = compute_timeline(
        CaseFacts(fsd, (FullRecovery(recovery), Relapse(relapse)))
    )
    fresh = compute_timeline(CaseFacts(relapse))
    assert chained.outcome == Outcome.NEW_CASE
    assert chained.milestones == fresh.milestones
    assert chained.previous_case.closed_on == recovery


@settings(max_examples=200, deadline=None)
@given(
    fsd=first_sick_days,
    sick=st.integers(min_value=1, max_value=800),
    fit=st.integers(min_value=1, max_value=27),
)
def test_a_chain_moves_later_dates_by_exactly_the_fit_days(fsd, sick, fit):
    recovery = fsd + sick * DAY
    relapse = recovery + fit * DAY
    chained = compute_timeline(
        CaseFacts(fsd, (FullRecovery(recovery), Relapse(relapse)))
    )
    plain = compute_timeline(CaseFacts(fsd))
    assert chained.days_excluded_from_counter == fit
    for code, sick_day in (
        ("probleemanalyse", 42),
        ("eindevaluatie", 637),
        ("wage_period_last_day", 728),
    ):
        shift = fit if sick_day > sick else 0
        assert chained.milestone(code).due == plain.milestone(code).due + shift * DAY


@settings(max_examples=300, deadline=None)
@given(
    fsd=first_sick_days,
    gaps=st.lists(st.tuples(st.integers(1, 200), st.integers(1, 60)), max_size=4),
)
def test_milestones_never_precede_the_first_sick_day(fsd, gaps):
    events = []
    day = fsd
    for sick, fit in gaps:
        day += sick * DAY
        events.append(FullRecovery(day))
        day += fit * DAY
        events.append(Relapse(day))
    timeline = compute_timeline(CaseFacts(fsd, tuple(events)))
    for milestone in timeline.milestones:
        assert milestone.due >= timeline.counted_period_first_sick_day >= fsd
        assert milestone.plan_by <= milestone.due
        if milestone.opens:
            assert fsd <= milestone.opens <= milestone.due


@settings(max_examples=100, deadline=None)
@given(fsd=first_sick_days)
def test_42_week_report_is_a_working_day_after_week_42(fsd):
    from poortwachter.rules.calendar import is_working_day

    due = compute_timeline(CaseFacts(fsd)).due("uwv_42_week_melding")
    assert is_working_day(due)
    assert fsd + 294 * DAY <= due <= fsd + 300 * DAY
