"""The shipped questionnaires: well-formed, in Dutch and English, medical
questions apart, answers checked, and every tenant has them."""

import json
from pathlib import Path

import pytest

from accounts.scoping import tenant_scope
from accounts.tests.factories import TenantFactory
from triage.engine import (
    AnswerErrors,
    Definition,
    Problem,
    answers_clean,
    answers_split,
    score,
)
from triage.models import Questionnaire

SHIPPED_DIR = Path(__file__).parents[1] / "data" / "questionnaires"
SHIPPED = sorted(SHIPPED_DIR.glob("*.json"))
NEW = ("werknemersvisie", "intake_naar_werk", "var_werk_reintegratie")


def _definition(key):
    return Definition.parse(json.loads((SHIPPED_DIR / f"{key}.json").read_text()))


# A complete, valid set of answers per new questionnaire, and one bad answer
# with the reason it is refused.
VALID = {
    "werknemersvisie": {
        "own_view": "Ik wil mijn eigen werk weer doen, eerst met minder uren.",
        "can_do_now": "own_adjusted",
        "possibilities": "Administratie en telefoon, 12 uur per week",
        "course": "fair",
        "course_explained": "Het contact is goed, de opbouw gaat traag.",
        "plan_agreement": "partly",
        "plan_disagreement": "De opbouw in uren gaat me te snel.",
        "own_actions": "Ik wandel elke dag naar het werk en terug.",
        "obstacles": ["hours", "travel"],
        "obstacles_explained": "Ik reis anderhalf uur per dag.",
        "wishes": "Een paar dagen per week thuiswerken.",
        "help_wanted": ["schedule", "coaching"],
        "employer_contact": "good",
        "contact_frequency": "weekly",
        "confidence": "4",
        "expected_return": "month",
        "next_talk": "Het opbouwschema.",
    },
    "intake_naar_werk": {
        "job_title": "Planner",
        "contract_hours": "36",
        "hours_now": "0",
        "main_tasks": "Roosters maken, contact met chauffeurs",
        "work_kind": ["desk", "people"],
        "tasks_possible": "some",
        "tasks_possible_which": "Roosters maken",
        "hours_possible": "12.5",
        "other_skills": "Rijbewijs C, vrijwilliger bij de voetbalclub",
        "return_route": ["own_adjusted", "other_work"],
        "adjustments": ["fewer_hours", "home"],
        "other_work_ideas": "Administratie",
        "support": ["manager_talk"],
        "barriers": ["workload"],
        "barriers_explained": "Te veel ritten per planner.",
        "first_return": "three_months",
        "full_return": "six_months",
        "treatment_schedule": "yes",
        "health_for_return": "Twee keer per week fysiotherapie in de ochtend.",
    },
    "var_werk_reintegratie": {
        "pace": "4",
        "amount": "5",
        "physical_load": "2",
        "emotional_load": "3",
        "control_how": "2",
        "control_when": "1",
        "support_manager": "3",
        "support_colleagues": "4",
        "conflict": "talking",
        "balance": "2",
        "home_demands": "somewhat",
        "motivation": "5",
        "confidence": "3",
        "own_steps": "3",
        "full_return": "three_months",
        "own_job": "adjusted",
        "health_rating": "3",
        "complaints_hinder": "4",
        "treatment": "waiting",
    },
}

BAD = {
    "werknemersvisie": ("plan_agreement", "misschien", Problem("choice")),
    "intake_naar_werk": (
        "contract_hours",
        "80",
        Problem("range", (("max", 60), ("min", 0))),
    ),
    "var_werk_reintegratie": ("pace", "3.5", Problem("whole")),
}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_questionnaire_parses_under_its_file_name(path):
    definition = Definition.parse(json.loads(path.read_text()))
    assert definition.key == path.stem


@pytest.mark.parametrize("key", NEW)
def test_new_questionnaires_have_three_to_five_sections_of_questions(key):
    definition = _definition(key)
    assert 3 <= len(definition.sections) <= 5
    assert 10 <= len(definition.questions) <= 20


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_question_is_written_in_dutch_and_in_english(path):
    definition = Definition.parse(json.loads(path.read_text()))
    for question in definition.questions.values():
        nl, en = question.text["nl"], question.text["en"]
        assert nl.strip() and en.strip() and nl != en, question.key
        for option in question.options:
            assert option.label["nl"].strip() and option.label["en"].strip()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_medical_questions_sit_in_sections_of_their_own(path):
    definition = Definition.parse(json.loads(path.read_text()))
    for section in definition.sections:
        kinds = {q.medical for q in section.questions}
        assert len(kinds) == 1, f"{section.key} mixes medical and work questions"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_nobody_has_to_answer_a_medical_question(path):
    definition = Definition.parse(json.loads(path.read_text()))
    questions = definition.questions.values()
    assert not [q.key for q in questions if q.medical and q.required]


def test_the_werknemersvisie_asks_nothing_medical():
    """The employee's view feeds the plan van aanpak (5.1, visie werknemer),
    which the employer reads: it stays about work."""
    definition = _definition("werknemersvisie")
    assert not [q.key for q in definition.questions.values() if q.medical]
    assert "bedrijfsarts" in definition.questions["own_view"].help["nl"]


@pytest.mark.parametrize(
    ("key", "medical"),
    [
        ("intake_naar_werk", {"treatment_schedule", "health_for_return"}),
        (
            "var_werk_reintegratie",
            {"health_rating", "complaints_hinder", "treatment"},
        ),
    ],
)
def test_health_questions_are_the_medical_ones(key, medical):
    definition = _definition(key)
    assert {q.key for q in definition.questions.values() if q.medical} == medical
    plain, private = answers_split(definition, answers_clean(definition, VALID[key]))
    assert set(private) == medical
    assert not medical & set(plain)


@pytest.mark.parametrize("key", NEW)
def test_a_full_set_of_answers_is_accepted(key):
    definition = _definition(key)
    cleaned = answers_clean(definition, VALID[key])
    assert set(cleaned) == set(VALID[key])


@pytest.mark.parametrize("key", NEW)
def test_a_bad_answer_is_refused_with_the_reason(key):
    question, value, problem = BAD[key]
    with pytest.raises(AnswerErrors) as caught:
        answers_clean(_definition(key), {**VALID[key], question: value})
    assert caught.value.errors == {question: problem}


def test_a_disagreement_with_the_plan_needs_an_explanation():
    definition = _definition("werknemersvisie")
    answers = {**VALID["werknemersvisie"], "plan_agreement": "no"}
    answers.pop("plan_disagreement")
    with pytest.raises(AnswerErrors) as caught:
        answers_clean(definition, answers)
    assert caught.value.errors == {"plan_disagreement": Problem("required")}
    agreed = answers_clean(definition, {**answers, "plan_agreement": "yes"})
    assert "plan_disagreement" not in agreed


def test_intake_asks_about_adjustments_only_for_own_work_adjusted():
    definition = _definition("intake_naar_werk")
    answers = {**VALID["intake_naar_werk"], "return_route": ["other_employer"]}
    cleaned = answers_clean(definition, answers)
    assert "adjustments" not in cleaned
    assert cleaned["other_work_ideas"] == "Administratie"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_single_choice_has_an_answer_without_risk(path):
    """Scores express risk for return to work: the best answer scores 0 (a
    multiple choice left empty scores 0 already)."""
    definition = Definition.parse(json.loads(path.read_text()))
    for question in definition.questions.values():
        if question.type == "single":
            assert min(o.score for o in question.options) == 0, question.key


def test_worrying_answers_score_higher_than_reassuring_ones():
    definition = _definition("var_werk_reintegratie")
    reassuring = {
        **VALID["var_werk_reintegratie"],
        "conflict": "no",
        "home_demands": "no",
        "full_return": "month",
        "own_job": "yes",
        "treatment": "no",
    }
    worrying = {
        **reassuring,
        "conflict": "blocking",
        "full_return": "later",
        "own_job": "other",
    }
    assert score(definition, answers_clean(definition, reassuring)) == 0
    assert score(definition, answers_clean(definition, worrying)) == 8


def test_a_new_tenant_gets_every_shipped_questionnaire(db):
    tenant = TenantFactory(slug="nieuw")
    with tenant_scope(tenant):
        keys = set(Questionnaire.objects.values_list("key", flat=True))
        published = Questionnaire.objects.filter(
            versions__number=1, versions__published_at__isnull=False
        ).count()
    assert keys == {p.stem for p in SHIPPED}
    assert {"triage_ziekmelding", *NEW} <= keys
    assert published == len(SHIPPED)
