"""Routing after triage: rules as data give a proposal (route, early consult,
interventions); the regiehouder accepts or overrides it with a reason, and
the decision sets the route, its tasks and the interventions."""

import copy
import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import Intervention, InterventionKind
from cases.services import case_assign
from core.exceptions import ApplicationError
from poortwachter.models import CaseTimeline, ProtocolStep, Task, TaskSource
from triage import routing
from triage.engine import Definition
from triage.models import Questionnaire, RoutingDecision, RoutingPolicy
from triage.services import (
    EARLY_CONSULT_TASK_KEY,
    invitation_create,
    response_save,
    routing_decide,
)

DATA = Path(__file__).resolve().parent.parent / "data"
DEFINITION = Definition.parse(
    json.loads((DATA / "questionnaires" / "triage_ziekmelding.json").read_text())
)
RULES = json.loads((DATA / "routing" / "triage_ziekmelding.json").read_text())
RULESET = routing.parse(
    RULES, definition=DEFINITION, intervention_kinds=InterventionKind.values
)

FLU = {
    "work_possible": "no",
    "expected_duration": "week",
    "workability": 2,
    "work_related": "no",
    "contact_wish": "nothing",
}
# Non-medical answers scoring 9: one below the complex threshold of 10.
NINE = {
    "work_possible": "other",
    "expected_duration": "month",
    "workability": 6,
    "work_related": "partly",
    "work_factors": ["workload", "other"],
    "private_factors": "yes",
    "contact_wish": "casemanager",
}
MILD = {
    "work_possible": "other",
    "expected_duration": "month",
    "workability": 5,
    "work_related": "partly",
    "contact_wish": "manager",
}


@pytest.mark.parametrize(
    ("answers", "route", "early_consult", "interventions", "score"),
    [
        pytest.param(FLU, "regulier", False, (), 2, id="flu-short"),
        pytest.param(NINE, "regulier", False, (), 9, id="score-9-below-threshold"),
        pytest.param(
            {**NINE, "work_possible": "no"}, "complex", False, (), 10, id="score-10"
        ),
        pytest.param(
            {**NINE, "treatment": "yes"},
            "complex",
            False,
            (),
            10,
            id="score-10-with-a-medical-answer",
        ),
        pytest.param(
            {**MILD, "work_related": "yes", "work_factors": ["conflict"]},
            "complex",
            False,
            ("mediation",),
            8,
            id="conflict-mediation",
        ),
        pytest.param(
            {**MILD, "work_factors": ["physical"]},
            "regulier",
            False,
            ("werkplekonderzoek",),
            5,
            id="physical-work-workplace-assessment",
        ),
        pytest.param(
            {**FLU, "treatment": "waiting"},
            "regulier",
            True,
            (),
            4,
            id="waiting-list-early-consult",
        ),
        pytest.param(
            {**FLU, "earlier_absence": "yes"},
            "regulier",
            True,
            (),
            4,
            id="same-complaints-before",
        ),
        pytest.param(
            {**FLU, "expected_duration": "longer", "workability": 1},
            "complex",
            True,
            (),
            5,
            id="no-work-and-long-duration",
        ),
        pytest.param(
            {**FLU, "work_possible": "other", "expected_duration": "unknown"},
            "complex",
            False,
            (),
            3,
            id="workability-3-unknown-duration",
        ),
        pytest.param(
            {
                **FLU,
                "work_possible": "other",
                "expected_duration": "unknown",
                "workability": 4,
            },
            "regulier",
            False,
            (),
            3,
            id="workability-4-unknown-duration",
        ),
        pytest.param(
            {**FLU, "work_possible": "yes", "contact_wish": "bedrijfsarts"},
            "regulier",
            True,
            (),
            2,
            id="asks-for-the-bedrijfsarts",
        ),
        pytest.param(
            {
                **MILD,
                "work_related": "yes",
                "work_factors": ["physical", "conflict"],
                "earlier_absence": "yes",
            },
            "complex",
            True,
            ("mediation", "werkplekonderzoek"),
            11,
            id="everything-at-once",
        ),
    ],
)
def test_answers_give_the_proposal(answers, route, early_consult, interventions, score):
    proposal = routing.propose(RULESET, DEFINITION, answers)
    assert (
        proposal.route,
        proposal.early_consult,
        proposal.interventions,
        proposal.score,
    ) == (route, early_consult, interventions, score)


def test_a_reason_resting_on_medical_answers_reads_as_generic_text():
    proposal = routing.propose(
        RULESET,
        DEFINITION,
        {**FLU, "treatment": "waiting", "contact_wish": "bedrijfsarts"},
    )
    by_rule = {reason.rule: reason for reason in proposal.reasons}
    assert by_rule["wachtlijst"].medical
    assert not by_rule["wens_bedrijfsarts"].medical
    shown = [reason.shown_label("nl") for reason in proposal.reasons]
    assert "Op basis van antwoorden voor de bedrijfsarts" in shown
    assert not any("wachtlijst" in label for label in shown)
    assert by_rule["wachtlijst"].shown_label("en") == (
        "Based on answers for the company doctor"
    )


def test_a_score_only_medical_answers_lift_over_the_threshold_is_medical():
    lifted = routing.propose(RULESET, DEFINITION, {**NINE, "treatment": "yes"})
    plain = routing.propose(RULESET, DEFINITION, {**NINE, "work_possible": "no"})
    assert [(r.rule, r.medical) for r in lifted.reasons] == [("hoge_score", True)]
    assert [(r.rule, r.medical) for r in plain.reasons] == [("hoge_score", False)]


def _rule(**changes):
    rule = {
        "id": "test",
        "label": {"nl": "Test", "en": "Test"},
        "when": {"answer": "work_possible", "equals": "no"},
        "then": {"route": "complex"},
    }
    rule.update(changes)
    return rule


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            _rule(when={"answer": "shoe_size", "equals": "42"}),
            "rule test: unknown question 'shoe_size' in questionnaire",
        ),
        (
            _rule(when={"answer": "work_possible", "greater_than": 1}),
            "rule test: unknown operator 'greater_than'",
        ),
        (
            _rule(when={"answer": "work_possible", "at_most": 1}),
            "operator 'at_most' does not apply to question 'work_possible' of type "
            "single",
        ),
        (
            _rule(when={"answer": "work_possible", "equals": "maybe"}),
            "'maybe' is not an option of question 'work_possible'",
        ),
        (
            _rule(when={"answer": "workability", "at_least": "high"}),
            "'high' is not a number",
        ),
        (_rule(when={"score_over": 3}), "unknown condition ['score_over']"),
        (_rule(then={"route": "spoed"}), "rule test: unknown route 'spoed'"),
        (
            _rule(then={"interventions": ["yoga"]}),
            "rule test: unknown intervention kind 'yoga'",
        ),
        (_rule(then={"send_flowers": True}), "unknown proposal ['send_flowers']"),
        (_rule(label={"nl": "Alleen Nederlands"}), "needs a label in both nl and en"),
        (_rule(when={"all": []}), "'all' needs a non-empty list"),
    ],
)
def test_parser_names_what_is_wrong(rule, message):
    raw = {"questionnaire": "triage_ziekmelding", "rules": [rule]}
    with pytest.raises(routing.RuleSetError) as caught:
        routing.parse(
            raw, definition=DEFINITION, intervention_kinds=InterventionKind.values
        )
    assert message in str(caught.value)


def test_parser_refuses_repeated_ids_and_another_questionnaire():
    raw = {"questionnaire": "triage_ziekmelding", "rules": [_rule(), _rule()]}
    with pytest.raises(routing.RuleSetError, match="rule id repeated: test"):
        routing.parse(raw)
    other = {**copy.deepcopy(RULES), "questionnaire": "werknemersvisie"}
    with pytest.raises(routing.RuleSetError, match="not 'triage_ziekmelding'"):
        routing.parse(other, definition=DEFINITION)


# --- proposal and decision on a case -----------------------------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2026, 10, 5)  # a Monday, four days after the world's cases fell ill

CONFLICT_AND_WAITING = {
    "work_possible": "no",
    "expected_duration": "month",
    "workability": 5,
    "work_related": "yes",
    "work_factors": ["conflict"],
    "private_factors": "no",
    "complaints": "Hoofdpijn en slapeloosheid",
    "treatment": "waiting",
    "earlier_absence": "no",
    "contact_wish": "casemanager",
}


@pytest.fixture
def clock():
    with time_machine.travel(
        dt.datetime(2026, 10, 5, 10, tzinfo=AMSTERDAM), tick=False
    ):
        yield


def _submit(case, answers, actor):
    questionnaire = Questionnaire.objects.get(key="triage_ziekmelding")
    invitation = invitation_create(actor=actor, case=case, questionnaire=questionnaire)
    sections = DEFINITION.sections
    for index, section in enumerate(sections):
        keys = {q.key for q in section.questions}
        response_save(
            invitation=invitation,
            section=section.key,
            answers={k: v for k, v in answers.items() if k in keys},
            submit=index == len(sections) - 1,
        )
    return RoutingDecision.objects.get(response__invitation=invitation)


@pytest.fixture
def proposal(clock, scope_a):
    """A proposal on the team case (which its manager, HR and bedrijfsarts see)."""
    return _submit(
        scope_a.team_case, CONFLICT_AND_WAITING, scope_a.user(Role.REGIEHOUDER)
    )


def test_submitting_the_triage_records_the_proposal(proposal):
    assert proposal.proposed_route == "complex"
    assert proposal.proposed_early_consult is True
    assert proposal.proposed_interventions == ["mediation"]
    assert proposal.score == 12
    assert not proposal.is_decided
    assert proposal.reasons == [
        {
            "rule": "arbeidsconflict",
            "label": {
                "nl": "Conflict met leidinggevende of collega",
                "en": "Conflict with manager or colleague",
            },
            "medical": False,
        },
        {
            "rule": "hoge_score",
            "label": {
                "nl": "Hoge triagescore (10 of meer)",
                "en": "High triage score (10 or more)",
            },
            "medical": False,
        },
        # The medical rule's label names the answer: it is not stored here.
        {"rule": "wachtlijst", "medical": True},
    ]


def test_no_policy_no_proposal(clock, scope_a):
    RoutingPolicy.objects.all().delete()
    questionnaire = Questionnaire.objects.get(key="triage_ziekmelding")
    invitation = invitation_create(
        actor=None, case=scope_a.a1_case, questionnaire=questionnaire
    )
    for index, section in enumerate(DEFINITION.sections):
        keys = {q.key for q in section.questions}
        response_save(
            invitation=invitation,
            section=section.key,
            answers={k: v for k, v in FLU.items() if k in keys},
            submit=index == len(DEFINITION.sections) - 1,
        )
    assert not RoutingDecision.objects.exists()


def test_override_without_reason_is_refused_and_changes_nothing(proposal, scope_a):
    with pytest.raises(ApplicationError) as caught:
        routing_decide(
            actor=scope_a.user(Role.REGIEHOUDER),
            decision=proposal,
            route="regulier",
            early_consult=True,
            interventions=["mediation"],
            reason="  ",
        )
    assert caught.value.field == "reason"
    proposal.refresh_from_db()
    scope_a.team_case.refresh_from_db()
    assert not proposal.is_decided
    assert scope_a.team_case.route == ""
    assert not Intervention.objects.filter(case=scope_a.team_case).exists()


def test_override_with_reason_is_recorded_next_to_the_untouched_proposal(
    proposal, scope_a
):
    regiehouder = scope_a.user(Role.REGIEHOUDER)
    decided = routing_decide(
        actor=regiehouder,
        decision=proposal,
        route="regulier",
        early_consult=False,
        interventions=["mediation", "coaching"],
        reason="Conflict is gisteren uitgesproken; werknemer start volgende week.",
    )
    decided.refresh_from_db()
    assert (decided.proposed_route, decided.proposed_early_consult) == ("complex", True)
    assert decided.proposed_interventions == ["mediation"]
    assert decided.outcome == "overridden"
    assert (decided.decided_route, decided.early_consult) == ("regulier", False)
    assert decided.interventions == ["mediation", "coaching"]
    assert decided.reason.startswith("Conflict is gisteren")
    assert decided.decided_by == regiehouder
    scope_a.team_case.refresh_from_db()
    assert scope_a.team_case.route == "regulier"
    requested = Intervention.objects.filter(case=scope_a.team_case)
    assert sorted(requested.values_list("kind", "status")) == [
        ("coaching", "aangevraagd"),
        ("mediation", "aangevraagd"),
    ]
    assert not Task.objects.filter(key=EARLY_CONSULT_TASK_KEY).exists()


def test_a_second_decision_is_refused(proposal, scope_a):
    actor = scope_a.user(Role.CASEMANAGER)
    routing_decide(
        actor=actor,
        decision=proposal,
        route="complex",
        early_consult=True,
        interventions=["mediation"],
        reason="",
    )
    with pytest.raises(ApplicationError, match="al besloten"):
        routing_decide(
            actor=scope_a.user(Role.REGIEHOUDER),
            decision=proposal,
            route="regulier",
            early_consult=False,
            interventions=[],
            reason="Toch regulier.",
        )
    proposal.refresh_from_db()
    assert (proposal.decided_route, proposal.decided_by) == ("complex", actor)
    assert Intervention.objects.filter(case=scope_a.team_case).count() == 1


def test_accepting_creates_the_routes_tasks_and_the_early_consult(proposal, scope_a):
    regular = _submit(scope_a.a1_case, FLU, scope_a.user(Role.REGIEHOUDER))
    for decision in (proposal, regular):
        routing_decide(
            actor=scope_a.user(Role.REGIEHOUDER),
            decision=decision,
            route=decision.proposed_route,
            early_consult=decision.proposed_early_consult,
            interventions=decision.proposed_interventions,
            reason="",
        )
    assert RoutingDecision.objects.get(pk=proposal.pk).outcome == "accepted"

    def complex_keys(case):
        return set(
            Task.objects.filter(
                case=case, source=TaskSource.PROTOCOL, key__startswith="complex_"
            ).values_list("key", flat=True)
        )

    assert complex_keys(scope_a.team_case) == {
        "complex_casusoverleg",
        "complex_consult_bedrijfsarts",
        "complex_arbeidsdeskundig_advies",
    }
    assert complex_keys(scope_a.a1_case) == set()
    # The case's ordinary protocol is there as well, on both routes.
    assert Task.objects.filter(case=scope_a.a1_case, key="triage_dag_11").exists()
    consult = Task.objects.get(case=scope_a.team_case, key=EARLY_CONSULT_TASK_KEY)
    assert consult.status == "open"
    assert consult.source == TaskSource.MANUAL
    assert consult.assignee == scope_a.user(Role.BEDRIJFSARTS)
    assert consult.due_date == dt.date(2026, 10, 12)  # five working days
    assert not Task.objects.filter(
        case=scope_a.a1_case, key=EARLY_CONSULT_TASK_KEY
    ).exists()


def test_a_route_back_to_regulier_closes_the_open_complex_tasks(proposal, scope_a):
    actor = scope_a.user(Role.REGIEHOUDER)
    routing_decide(
        actor=actor,
        decision=proposal,
        route="complex",
        early_consult=False,
        interventions=[],
        reason="Consult nog niet nodig.",
    )
    case = scope_a.team_case
    case.refresh_from_db()
    case_assign(
        actor=actor,
        case=case,
        route="regulier",
        regiehouder=None,
        casemanager=None,
        bedrijfsarts=scope_a.user(Role.BEDRIJFSARTS),
    )
    assert CaseTimeline.objects.get(case=case).stale
    from poortwachter.services import deadlines_refresh_for_case

    deadlines_refresh_for_case(case=case, today=TODAY)
    statuses = set(
        Task.objects.filter(case=case, key__startswith="complex_").values_list(
            "status", flat=True
        )
    )
    assert statuses == {"not_applicable"}


def test_only_whoever_runs_cases_decides(proposal, scope_a):
    for role in (Role.LEIDINGGEVENDE, Role.HR, Role.BEDRIJFSARTS):
        with pytest.raises(ApplicationError, match="regiehouder of casemanager"):
            routing_decide(
                actor=scope_a.user(role),
                decision=proposal,
                route="complex",
                early_consult=True,
                interventions=["mediation"],
                reason="",
            )


def test_every_tenant_has_the_shipped_rules_and_complex_steps(world):
    for tenant in (world.tenant_a, world.tenant_b):
        with tenant_scope(tenant):
            policy = RoutingPolicy.objects.get(questionnaire_key="triage_ziekmelding")
            assert policy.rules == RULES
            assert set(
                ProtocolStep.objects.filter(route="complex").values_list(
                    "code", flat=True
                )
            ) == {
                "complex_casusoverleg",
                "complex_consult_bedrijfsarts",
                "complex_arbeidsdeskundig_advies",
            }


# --- pages -------------------------------------------------------------------------


def _case_url(case):
    return f"/t/tenant-a/dossiers/{case.pk}/"


def _decide_url(decision, tenant="tenant-a"):
    return f"/t/{tenant}/routevoorstellen/{decision.pk}/besluit/"


MEDICAL_TEXTS = (
    "wachtlijst",
    "waiting list",
    "Hoofdpijn",
    "slapeloosheid",
    "Voor de bedrijfsarts",
)


def test_regiehouder_sees_the_proposal_with_non_medical_reasons_and_a_form(
    proposal, world, login
):
    page = login(world.user(Role.REGIEHOUDER)).get(_case_url(world.team_case))
    text = page.content.decode()
    assert "Conflict met leidinggevende of collega" in text
    assert "Hoge triagescore (10 of meer)" in text
    assert "Op basis van antwoorden voor de bedrijfsarts" in text
    assert _decide_url(proposal) in text
    for medical in MEDICAL_TEXTS:
        assert medical not in text
    assert "Triagescore</dt>" not in text


def test_the_proposal_reads_in_english(proposal, world, login):
    user = world.user(Role.CASEMANAGER)
    user.preferred_language = "en"
    user.save()
    text = login(user).get(_case_url(world.team_case)).content.decode()
    assert "Proposal after the triage of" in text
    assert "Conflict with manager or colleague" in text
    assert "Based on answers for the company doctor" in text
    assert "Conflict met leidinggevende" not in text


@pytest.mark.parametrize("role", [Role.LEIDINGGEVENDE, Role.HR, Role.WERKNEMER])
def test_manager_hr_and_employee_see_only_the_route(proposal, world, login, role):
    case = world.own_case if role == Role.WERKNEMER else world.team_case
    if role == Role.WERKNEMER:
        with tenant_scope(world.tenant_a):
            proposal = _submit(case, CONFLICT_AND_WAITING, world.user(Role.REGIEHOUDER))
    client = login(world.user(role))
    before = client.get(_case_url(case)).content.decode()
    assert "nog niet bepaald" in before
    with tenant_scope(world.tenant_a):
        routing_decide(
            actor=world.user(Role.REGIEHOUDER),
            decision=proposal,
            route="complex",
            early_consult=True,
            interventions=["mediation"],
            reason="",
        )
    text = client.get(_case_url(case)).content.decode()
    block = text.split('id="route"')[1].split("<h2")[0]
    assert "Complex" in block
    for hidden in (
        "Conflict met leidinggevende",
        "Op basis van antwoorden",
        "Hoge triagescore",
        "Voorgestelde route",
        *MEDICAL_TEXTS,
    ):
        assert hidden not in text
    assert client.get(_decide_url(proposal)).status_code == 404


def test_bedrijfsarts_sees_the_proposal_and_score_but_no_form(proposal, world, login):
    text = login(world.user(Role.BEDRIJFSARTS)).get(_case_url(world.team_case))
    text = text.content.decode()
    assert "Voorgestelde route" in text
    assert "Triagescore</dt><dd>12" in text
    assert _decide_url(proposal) not in text


def test_override_without_reason_shows_the_error_and_keeps_the_input(
    proposal, world, login
):
    client = login(world.user(Role.REGIEHOUDER))
    page = client.post(
        _decide_url(proposal),
        {"route": "regulier", "early_consult": "False", "interventions": ["coaching"]},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Geef een reden: uw besluit wijkt af van het voorstel." in text
    assert re.search(r'value="regulier"[^>]*checked', text)
    assert re.search(r'value="coaching"[^>]*checked', text)
    assert not re.search(r'value="mediation"[^>]*checked', text)
    with tenant_scope(world.tenant_a):
        assert not RoutingDecision.objects.get(pk=proposal.pk).is_decided


def test_accepting_from_the_page_redirects_to_the_case(proposal, world, login):
    client = login(world.user(Role.REGIEHOUDER))
    response = client.post(
        _decide_url(proposal),
        {"route": "complex", "early_consult": "True", "interventions": ["mediation"]},
    )
    assert response.status_code == 302
    assert response["Location"] == _case_url(world.team_case)
    text = client.get(_case_url(world.team_case)).content.decode()
    assert "Voorstel overgenomen" in text
    second = client.post(
        _decide_url(proposal),
        {"route": "regulier", "early_consult": "False", "reason": "Nog eens."},
    )
    assert second.status_code == 200
    assert "al besloten" in second.content.decode()


def test_another_tenants_decision_is_a_404(proposal, world, login):
    client = login(world.casemanager_b)
    assert client.get(_decide_url(proposal, "tenant-b")).status_code == 404
    response = client.post(
        _decide_url(proposal, "tenant-b"),
        {"route": "regulier", "early_consult": "False", "reason": "Overname."},
    )
    assert response.status_code == 404
    with tenant_scope(world.tenant_a):
        assert not RoutingDecision.objects.get(pk=proposal.pk).is_decided


def test_case_page_queries_do_not_grow_with_proposals(
    proposal, world, login, django_assert_max_num_queries
):
    client = login(world.user(Role.REGIEHOUDER))
    url = _case_url(world.team_case)
    client.get(url)
    with django_assert_max_num_queries(45) as few:
        client.get(url)
    with tenant_scope(world.tenant_a):
        for _ in range(3):
            _submit(world.team_case, FLU, world.user(Role.REGIEHOUDER))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- tenant admin ------------------------------------------------------------------


@pytest.fixture
def admin_client(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    return client


def test_tenant_admin_gets_a_clear_error_for_bad_rules(world, admin_client):
    with tenant_scope(world.tenant_a):
        policy = RoutingPolicy.objects.get()
    bad = copy.deepcopy(RULES)
    bad["rules"][0]["when"] = {"answer": "shoe_size", "equals": "42"}
    url = f"/beheer/triage/routingpolicy/{policy.pk}/change/"
    page = admin_client.post(
        url, {"questionnaire_key": "triage_ziekmelding", "rules": json.dumps(bad)}
    )
    assert page.status_code == 200
    assert "unknown question" in page.content.decode()
    assert "shoe_size" in page.content.decode()
    with tenant_scope(world.tenant_a):
        assert RoutingPolicy.objects.get().rules == RULES
    good = copy.deepcopy(RULES)
    good["rules"][3]["when"] = {"score_at_least": 12}
    response = admin_client.post(
        url, {"questionnaire_key": "triage_ziekmelding", "rules": json.dumps(good)}
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert RoutingPolicy.objects.get().rules == good
