"""The questionnaire engine: definitions are checked, answers are validated
per type with a clear message in both languages, conditions hide questions,
medical answers are told apart."""

import copy
import json
from pathlib import Path

import pytest

from triage.engine import (
    AnswerErrors,
    Definition,
    DefinitionError,
    Problem,
    answers_clean,
    answers_split,
    score,
)

SHIPPED = sorted((Path(__file__).parents[1] / "data" / "questionnaires").glob("*.json"))


def _raw():
    return json.loads(
        (
            Path(__file__).parents[1] / "data/questionnaires/triage_ziekmelding.json"
        ).read_text()
    )


@pytest.fixture
def triage():
    return Definition.parse(_raw())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_questionnaire_is_well_formed(path):
    definition = Definition.parse(json.loads(path.read_text()))
    assert definition.key == path.stem
    assert definition.questions
    # the health section of the triage is medical, the work questions are not
    if definition.key == "triage_ziekmelding":
        assert definition.questions["complaints"].medical
        assert not definition.questions["work_possible"].medical


VALID = {
    "work_possible": "other",
    "what_works": "Administratie, 4 uur per dag",
    "expected_duration": "longer",
    "workability": "4",
    "work_related": "yes",
    "work_factors": ["conflict", "workload"],
    "complaints": "Slecht slapen",
    "contact_wish": "casemanager",
    "return_date": "2026-12-01",
}


def test_valid_answers_are_normalised(triage):
    cleaned = answers_clean(triage, VALID)
    assert cleaned["workability"] == 4
    assert cleaned["work_factors"] == ["conflict", "workload"]
    assert cleaned["return_date"] == "2026-12-01"


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("workability", "11", Problem("range", (("max", 10), ("min", 0)))),
        ("workability", "-1", Problem("range", (("max", 10), ("min", 0)))),
        ("workability", "4.5", Problem("whole")),
        ("workability", "veel", Problem("number")),
        ("workability", "nan", Problem("number")),
        ("work_possible", "maybe", Problem("choice")),
        ("work_factors", ["conflict", "ufo"], Problem("choices")),
        ("return_date", "1-12-2026", Problem("date")),
        ("what_works", "x" * 1001, Problem("length", (("max", 1000),))),
        ("contact_wish", "", Problem("required")),
    ],
)
def test_bad_answers_are_refused_with_the_reason(triage, key, value, problem):
    with pytest.raises(AnswerErrors) as caught:
        answers_clean(triage, {**VALID, key: value})
    assert caught.value.errors == {key: problem}


def test_all_problems_are_reported_at_once(triage):
    with pytest.raises(AnswerErrors) as caught:
        answers_clean(triage, {"workability": "12"})
    assert set(caught.value.errors) == {
        "work_possible",
        "expected_duration",
        "workability",
        "work_related",
        "contact_wish",
    }


def test_a_page_can_be_saved_half_done(triage):
    assert answers_clean(
        triage, {"work_possible": "no"}, section="werk", partial=True
    ) == {"work_possible": "no"}
    with pytest.raises(AnswerErrors):
        answers_clean(triage, {"workability": "99"}, section="werk", partial=True)


def test_conditional_questions_apply_only_when_their_condition_holds(triage):
    answers = {**VALID, "work_possible": "no", "work_related": "no"}
    cleaned = answers_clean(triage, answers)
    assert "what_works" not in cleaned  # only asked when some work is possible
    assert "work_factors" not in cleaned  # only asked when work-related


def test_medical_answers_are_told_apart(triage):
    plain, medical = answers_split(triage, answers_clean(triage, VALID))
    assert medical == {"complaints": "Slecht slapen"}
    assert "complaints" not in plain and plain["work_related"] == "yes"


def test_score_adds_the_chosen_options(triage):
    # other 1 + longer 3 + yes 3 + conflict 3 + workload 1 + casemanager 1
    assert score(triage, answers_clean(triage, VALID)) == 12


def _broken(change):
    raw = _raw()
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["sections"][0]["questions"][0].pop("medical"), "classified"),
        (lambda r: r["sections"][0]["questions"][0]["text"].pop("en"), "nl and en"),
        (lambda r: r["sections"][0]["questions"][0].update(type="slider"), "type"),
        (
            lambda r: r["sections"][0]["questions"][1]["show_if"].update(
                question="contact_wish"
            ),
            "earlier choice question",
        ),
        (
            lambda r: (
                r["sections"][0]["questions"][1]["show_if"].update(in_=["x"])
                or r["sections"][0]["questions"][1]["show_if"].update({"in": ["x"]})
            ),
            "options of it",
        ),
        (lambda r: r["sections"][0]["questions"][3].update(max=0), "min < max"),
        (
            lambda r: r["sections"][1]["questions"].append(
                copy.deepcopy(r["sections"][0]["questions"][0])
            ),
            "repeated",
        ),
    ],
)
def test_broken_definitions_are_refused_with_the_reason(change, message):
    with pytest.raises(DefinitionError, match=message):
        Definition.parse(_broken(change))


def _first_question(raw):
    return raw["sections"][0]["questions"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(key=5), "questionnaire key"),
        (lambda r: r.update(sections="werk"), "sections: must be a list of objects"),
        (lambda r: r.update(sections=["werk"]), "sections: must be a list of objects"),
        (lambda r: r["sections"][0].update(questions=3), "werk questions"),
        (lambda r: r["sections"][0].update(key=["werk"]), "section key"),
        (lambda r: _first_question(r).update(key=None), "question key"),
        (lambda r: _first_question(r).update(options="ja, nee"), "options"),
        (lambda r: _first_question(r)["options"][0].pop("value"), "needs a value"),
        (lambda r: _first_question(r)["options"][0].update(score="veel"), "score"),
        (lambda r: _first_question(r).update(required="false"), "true or false"),
        (lambda r: r["sections"][0]["questions"][3].update(min="nul"), "min"),
        (lambda r: r["sections"][0]["questions"][1].update(max_length="x"), "max_"),
        (lambda r: r["sections"][0]["questions"][1].update(max_length=10**6), "max_"),
        (lambda r: r["sections"][0]["questions"][1].update(show_if="yes"), "show_if"),
    ],
)
def test_a_definition_of_the_wrong_shape_is_refused_not_crashed(change, message):
    """A tenant admin types definitions by hand: every wrong shape is a
    DefinitionError naming the place, never a TypeError or KeyError."""
    with pytest.raises(DefinitionError, match=message):
        Definition.parse(_broken(change))


@pytest.mark.parametrize(
    ("problem", "nl", "en"),
    [
        (
            Problem("range", (("max", 10), ("min", 0))),
            "Kies een getal van 0 tot en met 10.",
            "Choose a number from 0 to 10.",
        ),
        (Problem("required"), "Beantwoord deze vraag.", "Answer this question."),
        (Problem("length", (("max", 1000),)), "Gebruik hoogstens 1000 tekens.", None),
    ],
)
def test_problems_read_as_messages_in_both_languages(problem, nl, en):
    from django.utils import translation

    from triage.messages import problem_message

    with translation.override("nl"):
        assert problem_message(problem) == nl
    with translation.override("en"):
        english = problem_message(problem)
    assert english != nl
    if en:
        assert english == en
