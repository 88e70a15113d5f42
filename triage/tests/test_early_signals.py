"""Early signals: each at its threshold, the tenant's thresholds, who sees
them, the "Signalen" tab of the queue and the case page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, CaseStatus
from cases.tests.factories import (
    AbsenceCaseFactory,
    ContactNoteFactory,
    EmployeeFactory,
)
from tests.fixtures import verified_login
from triage.early_signals import (
    Severity,
    SignalKind,
    cases_with_signals,
    months_before,
    signal_policy_for,
    signals_for_cases,
)
from triage.models import InvitationStatus, Questionnaire, SignalPolicy
from triage.services import invitation_create

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=AMSTERDAM)
SIGNALS = "/t/tenant-a/taken/signalen/"


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=AMSTERDAM)


def _days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def a(world):
    """Tenant A's scope, with the shared cases reported today: none of them
    has a signal until a test gives it one."""
    with tenant_scope(world.tenant_a):
        AbsenceCase.objects.update(reported_at=NOW)
        yield world


def _case(world, *, reported_days_ago=0, manager=None, employer=None, **kwargs):
    employee = EmployeeFactory(
        employer=employer or world.employer_a1, manager=manager, surname="Signaal"
    )
    return AbsenceCaseFactory(
        employee=employee,
        first_sick_day=_days_ago(reported_days_ago),
        reported_at=_at(_days_ago(reported_days_ago)),
        **kwargs,
    )


def _earlier_report(case, first_sick_day):
    return AbsenceCaseFactory(
        employee=case.employee,
        first_sick_day=first_sick_day,
        recovery_date=first_sick_day + dt.timedelta(days=3),
        status=CaseStatus.RECOVERED,
        reported_at=_at(first_sick_day),
    )


def _signals(world, case, policy=None, now=NOW):
    policy = policy or SignalPolicy(tenant=world.tenant_a)
    return signals_for_cases(cases=[case], today=TODAY, policy=policy, now=now)[case.pk]


def _of(signals, kind):
    return [s for s in signals if s.kind == kind]


def _invite(world, case, *, sent):
    questionnaire = Questionnaire.objects.get(key="triage_ziekmelding")
    with time_machine.travel(sent, tick=False):
        return invitation_create(
            actor=world.user(Role.CASEMANAGER), case=case, questionnaire=questionnaire
        )


# --- frequent absence -------------------------------------------------------


def test_third_report_in_twelve_months_is_frequent_absence(a):
    case = _case(a)
    _earlier_report(case, dt.date(2026, 3, 2))
    _earlier_report(case, dt.date(2025, 11, 21))  # just inside 12 months
    [signal] = _of(_signals(a, case), SignalKind.FREQUENT_ABSENCE)
    assert signal.message == "3 ziekmeldingen in 12 maanden"
    assert signal.started_on == TODAY  # the day the third report came in
    assert signal.severity == Severity.ATTENTION


def test_two_reports_or_one_outside_the_window_is_not_frequent(a):
    case = _case(a)
    _earlier_report(case, dt.date(2026, 3, 2))
    assert _of(_signals(a, case), SignalKind.FREQUENT_ABSENCE) == []
    _earlier_report(case, dt.date(2025, 11, 20))  # exactly 12 months ago: outside
    assert months_before(TODAY, 12) == dt.date(2025, 11, 20)
    assert _of(_signals(a, case), SignalKind.FREQUENT_ABSENCE) == []


def test_frequent_absence_threshold_and_period_are_the_tenants(a):
    case = _case(a)
    _earlier_report(case, dt.date(2026, 9, 1))
    _earlier_report(case, dt.date(2026, 3, 2))
    assert _of(_signals(a, case), SignalKind.FREQUENT_ABSENCE)
    stricter = SignalPolicy(tenant=a.tenant_a, frequent_absence_count=4)
    assert _of(_signals(a, case, stricter), SignalKind.FREQUENT_ABSENCE) == []
    shorter = SignalPolicy(
        tenant=a.tenant_a, frequent_absence_count=2, frequent_absence_months=6
    )
    [signal] = _of(_signals(a, case, shorter), SignalKind.FREQUENT_ABSENCE)
    assert signal.message == "2 ziekmeldingen in 6 maanden"
    assert signal.started_on == TODAY


# --- no contact ---------------------------------------------------------------


def test_fourteen_days_without_contact_is_a_signal(a):
    case = _case(a, reported_days_ago=30)
    ContactNoteFactory(case=case, contact_date=_days_ago(14))
    [signal] = _of(_signals(a, case), SignalKind.NO_CONTACT)
    assert signal.message == "14 dagen geen contact (laatste: 06-11-2026)"
    assert signal.started_on == TODAY
    assert signal.severity == Severity.ATTENTION


def test_thirteen_days_without_contact_is_not(a):
    case = _case(a, reported_days_ago=30)
    ContactNoteFactory(case=case, contact_date=_days_ago(20))
    ContactNoteFactory(case=case, contact_date=_days_ago(13))
    assert _of(_signals(a, case), SignalKind.NO_CONTACT) == []


def test_without_notes_the_ziekmelding_counts_as_the_last_contact(a):
    assert _of(_signals(a, _case(a, reported_days_ago=13)), SignalKind.NO_CONTACT) == []
    case = _case(a, reported_days_ago=28)
    [signal] = _of(_signals(a, case), SignalKind.NO_CONTACT)
    assert signal.message == "28 dagen geen contact sinds de ziekmelding (23-10-2026)"
    assert signal.severity == Severity.URGENT  # twice the threshold


def test_no_contact_threshold_is_the_tenants(a):
    case = _case(a, reported_days_ago=14)
    assert _of(_signals(a, case), SignalKind.NO_CONTACT)
    patient = SignalPolicy(tenant=a.tenant_a, no_contact_days=21)
    assert _of(_signals(a, case, patient), SignalKind.NO_CONTACT) == []


# --- the manager's weekly contact ----------------------------------------------


def test_manager_without_contact_for_seven_days_is_a_signal(a):
    manager = a.user(Role.LEIDINGGEVENDE)
    case = _case(a, reported_days_ago=30, manager=manager)
    ContactNoteFactory(case=case, contact_date=_days_ago(7), author=manager)
    # a casemanager's call today is contact, but not the manager's
    ContactNoteFactory(case=case, contact_date=TODAY, author=a.user(Role.CASEMANAGER))
    signals = _signals(a, case)
    [signal] = _of(signals, SignalKind.MANAGER_CONTACT)
    assert signal.message == "Leidinggevende heeft 7 dagen geen contact gehad"
    assert _of(signals, SignalKind.NO_CONTACT) == []


def test_manager_contact_six_days_ago_is_enough(a):
    manager = a.user(Role.LEIDINGGEVENDE)
    case = _case(a, reported_days_ago=30, manager=manager)
    ContactNoteFactory(case=case, contact_date=_days_ago(6), author=manager)
    assert _of(_signals(a, case), SignalKind.MANAGER_CONTACT) == []


def test_a_new_case_counts_the_manager_week_from_the_ziekmelding(a):
    manager = a.user(Role.LEIDINGGEVENDE)
    fresh = _case(a, reported_days_ago=6, manager=manager)
    assert _of(_signals(a, fresh), SignalKind.MANAGER_CONTACT) == []
    week_old = _case(a, reported_days_ago=7, manager=manager)
    assert _of(_signals(a, week_old), SignalKind.MANAGER_CONTACT)
    # nobody to remind when the employee has no manager
    no_manager = _case(a, reported_days_ago=30)
    assert _of(_signals(a, no_manager), SignalKind.MANAGER_CONTACT) == []


def test_manager_contact_days_are_the_tenants(a):
    case = _case(a, reported_days_ago=7, manager=a.user(Role.LEIDINGGEVENDE))
    fortnightly = SignalPolicy(tenant=a.tenant_a, manager_contact_days=14)
    assert _of(_signals(a, case, fortnightly), SignalKind.MANAGER_CONTACT) == []


# --- questionnaire not answered --------------------------------------------------


def test_questionnaire_unanswered_after_72_hours_is_a_signal(a):
    case = _case(a)
    _invite(a, case, sent=NOW - dt.timedelta(hours=72))
    [signal] = _of(_signals(a, case), SignalKind.QUESTIONNAIRE)
    assert signal.message == "Vragenlijst bij je ziekmelding na 3 dagen niet ingevuld"
    assert signal.started_on == TODAY
    assert signal.severity == Severity.ATTENTION


def test_questionnaire_one_minute_short_of_72_hours_is_not(a):
    case = _case(a)
    _invite(a, case, sent=NOW - dt.timedelta(hours=72) + dt.timedelta(minutes=1))
    assert _of(_signals(a, case), SignalKind.QUESTIONNAIRE) == []


def test_answered_or_revoked_questionnaires_give_no_signal(a):
    case = _case(a)
    done = _invite(a, case, sent=NOW - dt.timedelta(days=5))
    done.status = InvitationStatus.COMPLETED
    done.save()
    revoked = _invite(a, case, sent=NOW - dt.timedelta(days=5))
    revoked.status = InvitationStatus.REVOKED
    revoked.save()
    assert _of(_signals(a, case), SignalKind.QUESTIONNAIRE) == []


def test_expired_questionnaire_without_answer_is_urgent(a):
    case = _case(a)
    invitation = _invite(a, case, sent=NOW - dt.timedelta(days=5))
    invitation.status = InvitationStatus.STARTED
    invitation.expires_at = NOW - dt.timedelta(days=1)
    invitation.save()
    [signal] = _of(_signals(a, case), SignalKind.QUESTIONNAIRE)
    assert signal.severity == Severity.URGENT
    assert signal.message == (
        "Vragenlijst bij je ziekmelding verlopen zonder antwoord (op 19-11-2026)"
    )


def test_questionnaire_hours_are_the_tenants(a):
    case = _case(a)
    _invite(a, case, sent=NOW - dt.timedelta(hours=30))
    assert _of(_signals(a, case), SignalKind.QUESTIONNAIRE) == []
    daily = SignalPolicy(tenant=a.tenant_a, questionnaire_hours=24)
    [signal] = _of(_signals(a, case, daily), SignalKind.QUESTIONNAIRE)
    assert signal.message == "Vragenlijst bij je ziekmelding na 30 uur niet ingevuld"


# --- closed cases, the policy, query count -------------------------------------


def test_closed_and_recovered_cases_have_no_signals(a):
    for status in (CaseStatus.CLOSED, CaseStatus.RECOVERED):
        case = _case(a, reported_days_ago=60, manager=a.user(Role.LEIDINGGEVENDE))
        _earlier_report(case, dt.date(2026, 6, 1))
        _earlier_report(case, dt.date(2026, 3, 1))
        _invite(a, case, sent=NOW - dt.timedelta(days=5))
        case.status = status
        case.recovery_date = _days_ago(1)
        case.save()
        assert _signals(a, case) == []


def test_policy_is_the_saved_row_or_the_defaults(a):
    default = signal_policy_for(a.tenant_a)
    assert default.pk is None
    assert (
        default.frequent_absence_count,
        default.frequent_absence_months,
        default.no_contact_days,
        default.manager_contact_days,
        default.questionnaire_hours,
    ) == (3, 12, 14, 7, 72)
    SignalPolicy.objects.create(tenant=a.tenant_a, no_contact_days=10)
    assert signal_policy_for(a.tenant_a).no_contact_days == 10
    with tenant_scope(a.tenant_b):
        assert signal_policy_for(a.tenant_b).pk is None


def test_signals_for_many_cases_cost_two_queries(a, django_assert_num_queries):
    cases = [
        _case(a, reported_days_ago=20, manager=a.user(Role.LEIDINGGEVENDE))
        for _ in range(12)
    ]
    for case in cases[:4]:
        _invite(a, case, sent=NOW - dt.timedelta(days=4))
    policy = signal_policy_for(a.tenant_a)
    with django_assert_num_queries(2):
        found = signals_for_cases(cases=cases, today=TODAY, policy=policy, now=NOW)
    assert {len(found[c.pk]) for c in cases[:4]} == {3}
    assert {len(found[c.pk]) for c in cases[4:]} == {2}


# --- the queue ------------------------------------------------------------------


def _noisy(world, n, *, employer=None):
    """``n`` open cases with every kind of signal."""
    manager = world.user(Role.LEIDINGGEVENDE)
    cases = []
    for _ in range(n):
        case = _case(world, reported_days_ago=20, manager=manager, employer=employer)
        _earlier_report(case, dt.date(2026, 6, 1))
        _earlier_report(case, dt.date(2026, 3, 1))
        _invite(world, case, sent=NOW - dt.timedelta(days=4))
        cases.append(case)
    return cases


def test_queue_lists_visible_open_cases_most_severe_first(a):
    mild = _case(a, reported_days_ago=14)
    severe = _case(a, reported_days_ago=28, employer=a.employer_a2)
    _case(a, reported_days_ago=40, employer=a.employer_a3)  # not this casemanager's
    with tenant_scope(a.tenant_b):
        AbsenceCase.objects.update(reported_at=_at(_days_ago(60)))
    listed = cases_with_signals(actor=a.user(Role.CASEMANAGER), today=TODAY, now=NOW)
    assert [item.case for item in listed] == [severe, mild]
    assert listed[0].severity == Severity.URGENT
    assert listed[0].case.employee.employer.name == "A2 Zorg"


def test_manager_is_never_listed_an_unanswered_questionnaire(a):
    case = _case(a, manager=a.user(Role.LEIDINGGEVENDE))
    _invite(a, case, sent=NOW - dt.timedelta(days=4))
    assert cases_with_signals(actor=a.user(Role.CASEMANAGER), today=TODAY, now=NOW)
    assert (
        cases_with_signals(actor=a.user(Role.LEIDINGGEVENDE), today=TODAY, now=NOW)
        == []
    )
    assert cases_with_signals(actor=a.user(Role.WERKNEMER), today=TODAY, now=NOW) == []


@time_machine.travel(NOW, tick=False)
def test_signals_tab_shows_cases_with_links(a, login):
    case = _case(a, reported_days_ago=14)
    client = login(a.user(Role.CASEMANAGER))
    queue = client.get("/t/tenant-a/taken/")
    assert f'href="{SIGNALS}"' in queue.text
    page = client.get(SIGNALS)
    assert page.status_code == 200
    assert f'href="/t/tenant-a/dossiers/{case.pk}/"' in page.text
    assert case.employee.display_name in page.text
    assert "A1 Bouw" in page.text
    assert "14 dagen geen contact sinds de ziekmelding (06-11-2026)" in page.text


@time_machine.travel(NOW, tick=False)
def test_signals_tab_has_an_empty_state(a, login):
    page = login(a.user(Role.REGIEHOUDER)).get(SIGNALS)
    assert page.status_code == 200
    assert "Geen signalen." in page.text


@time_machine.travel(NOW, tick=False)
def test_signals_tab_is_for_those_who_run_cases(a, login):
    manager = login(a.user(Role.LEIDINGGEVENDE))
    assert SIGNALS not in manager.get("/t/tenant-a/taken/").text
    assert manager.get(SIGNALS).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_other_tenant_cases_are_never_listed(a, login):
    with tenant_scope(a.tenant_b):
        AbsenceCase.objects.update(reported_at=_at(_days_ago(60)))
    _case(a, reported_days_ago=60)
    page_b = login(a.casemanager_b).get("/t/tenant-b/taken/signalen/")
    assert "Buitenveld" in page_b.text
    assert "Signaal" not in page_b.text
    page_a = login(a.user(Role.CASEMANAGER)).get(SIGNALS)
    assert "Signaal" in page_a.text
    assert "Buitenveld" not in page_a.text


@time_machine.travel(NOW, tick=False)
def test_signals_tab_query_count_does_not_grow_with_cases(
    a, login, django_assert_max_num_queries
):
    _noisy(a, 3)
    client = login(a.user(Role.CASEMANAGER))
    client.get(SIGNALS)
    with django_assert_max_num_queries(12) as few:
        page = client.get(SIGNALS)
    assert page.text.count('id="signals-case-') == 3
    _noisy(a, 12, employer=a.employer_a2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(SIGNALS)
    assert page.text.count('id="signals-case-') == 15


@time_machine.travel(NOW, tick=False)
def test_signals_tab_is_paginated(a, login):
    for _ in range(26):
        _case(a, reported_days_ago=15)
    client = login(a.user(Role.CASEMANAGER))
    first = client.get(SIGNALS)
    assert "Pagina 1 van 2" in first.text
    assert first.text.count('id="signals-case-') == 25
    second = client.get(SIGNALS + "?page=2")
    assert second.text.count('id="signals-case-') == 1


# --- the case page ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_case_page_shows_the_signals_the_viewer_may_see(a, login):
    case = _case(a, reported_days_ago=14, manager=a.user(Role.LEIDINGGEVENDE))
    _invite(a, case, sent=NOW - dt.timedelta(days=4))
    url = f"/t/tenant-a/dossiers/{case.pk}/"
    for role in (Role.CASEMANAGER, Role.REGIEHOUDER, Role.HR):
        page = login(a.user(role)).get(url)
        assert "14 dagen geen contact sinds de ziekmelding" in page.text
        assert "Vragenlijst bij je ziekmelding na 4 dagen niet ingevuld" in page.text
    manager = login(a.user(Role.LEIDINGGEVENDE)).get(url)
    assert "Leidinggevende heeft 14 dagen geen contact gehad" in manager.text
    assert "niet ingevuld" not in manager.text


@time_machine.travel(NOW, tick=False)
def test_case_page_without_signals_shows_no_section(a, login):
    page = login(a.user(Role.CASEMANAGER)).get(f"/t/tenant-a/dossiers/{a.a1_case.pk}/")
    assert page.status_code == 200
    assert 'id="case-signals-title"' not in page.text


@time_machine.travel(NOW, tick=False)
def test_werknemer_sees_no_signals_on_own_case(a, login):
    AbsenceCase.objects.filter(pk=a.own_case.pk).update(reported_at=_at(_days_ago(30)))
    page = login(a.user(Role.WERKNEMER)).get(f"/t/tenant-a/dossiers/{a.own_case.pk}/")
    assert page.status_code == 200
    assert 'id="case-signals-title"' not in page.text


@time_machine.travel(NOW, tick=False)
def test_signals_in_english(a, login):
    user = a.user(Role.CASEMANAGER)
    user.preferred_language = "en"
    user.save()
    case = _case(a, reported_days_ago=30)
    ContactNoteFactory(case=case, contact_date=_days_ago(14))
    _earlier_report(case, dt.date(2026, 6, 1))
    _earlier_report(case, dt.date(2026, 3, 1))
    _invite(a, case, sent=NOW - dt.timedelta(days=4))
    client = login(user)
    page = client.get(f"/t/tenant-a/dossiers/{case.pk}/")
    assert "No contact for 14 days (last: 06-11-2026)" in page.text
    assert "3 sickness reports in 12 months" in page.text
    assert "Questionnaire on your sickness report not answered after 4 days" in (
        page.text
    )
    queue = client.get(SIGNALS)
    assert "Signals" in queue.text and "Attention" in queue.text


# --- the tenant admin ---------------------------------------------------------------


def test_tenant_admin_sets_thresholds_with_clear_errors(a, client):
    admin = a.user(Role.TENANT_ADMIN)
    verified_login(client, admin)
    client.get("/t/tenant-a/beheer/")
    url = "/beheer/triage/signalpolicy/add/"
    values = {
        "frequent_absence_count": "1",
        "frequent_absence_months": "12",
        "no_contact_days": "14",
        "manager_contact_days": "7",
        "questionnaire_hours": "72",
    }
    refused = client.post(url, values)
    assert refused.status_code == 200
    assert "Kies minstens 2 ziekmeldingen" in refused.text
    assert not SignalPolicy.objects.exists()
    response = client.post(url, {**values, "frequent_absence_count": "4"})
    assert response.status_code == 302
    assert SignalPolicy.objects.get().frequent_absence_count == 4
    # one per tenant: no second one can be added
    assert client.get(url).status_code == 403


def test_access_policy_names_every_kind_of_signal(a):
    from accounts.access import signal_kinds_visible_to

    assert signal_kinds_visible_to(a.user(Role.CASEMANAGER)) == set(SignalKind)
    assert signal_kinds_visible_to(a.user(Role.LEIDINGGEVENDE)) < set(SignalKind)
    assert signal_kinds_visible_to(a.user(Role.WERKNEMER)) == set()
