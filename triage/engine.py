"""The questionnaire engine: questionnaires are data, not code.

A definition (JSON, shipped under ``triage/data/questionnaires/`` or copied
and adapted by a tenant admin) has sections with questions. Every question
has a type (single or multiple choice, scale, date, number, free text), its
text in Dutch and English, and a classification: ``"medical": true`` answers
are medical data (DESIGN.md §4) and are stored apart. A question may be
conditional (``show_if``: shown only when an earlier single or multiple
choice answer is one of the given values).

Pure Python (no Django models): ``Definition.parse`` checks a definition and
says exactly what is wrong with it; ``answers_clean`` checks answers against
it; ``answers_split`` separates medical from non-medical answers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

QUESTION_TYPES = ("single", "multiple", "scale", "date", "number", "text")
CHOICE_TYPES = ("single", "multiple")
LANGUAGES = ("nl", "en")
TEXT_MAX_LENGTH = 4000


class DefinitionError(ValueError):
    """A questionnaire definition is not well-formed; the message says where."""


@dataclass(frozen=True)
class Problem:
    """Why one answer was refused: a code (``required``, ``choice``,
    ``choices``, ``number``, ``whole``, ``range``, ``date``, ``length``) and
    its parameters; ``triage.messages`` turns it into the user's language."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()


class AnswerErrors(ValueError):
    """Answers that do not fit the questionnaire: ``errors`` maps a question
    key to its ``Problem``; all problems are collected before raising."""

    def __init__(self, errors: dict[str, Problem]) -> None:
        super().__init__(f"{len(errors)} answer(s) not accepted: {sorted(errors)}")
        self.errors = errors


def _objects(raw: Any, where: str) -> list[dict[str, Any]]:
    """A list of JSON objects (absent is empty); anything else is refused."""
    if raw is None:
        return []
    if not isinstance(raw, list) or any(not isinstance(r, dict) for r in raw):
        raise DefinitionError(f"{where}: must be a list of objects")
    return raw


def _key(raw: Any, what: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise DefinitionError(f"{what} key missing or not text: {raw!r}")
    return raw


def _whole(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise DefinitionError(f"{where}: must be a whole number")
    return raw


def _number(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise DefinitionError(f"{where}: must be a number")
    return raw


def _text(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(
        not isinstance(raw.get(lang), str) or not raw[lang].strip()
        for lang in LANGUAGES
    ):
        raise DefinitionError(f"{where}: needs a text in both nl and en")
    return {lang: raw[lang] for lang in LANGUAGES}


@dataclass(frozen=True)
class Option:
    value: str
    label: dict[str, str]
    score: int


@dataclass(frozen=True)
class Condition:
    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: dict[str, str]
    medical: bool
    required: bool
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = TEXT_MAX_LENGTH
    show_if: Condition | None = None
    help: dict[str, str] | None = None

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: dict[str, str]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Definition:
    key: str
    title: dict[str, str]
    sections: tuple[Section, ...]

    @property
    def questions(self) -> dict[str, Question]:
        return {q.key: q for s in self.sections for q in s.questions}

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Definition:
        """Check a definition and build it; ``DefinitionError`` names the
        first problem (unknown type, missing translation, unclassified
        question, a condition on a later or non-choice question, …)."""
        if not isinstance(raw, dict) or not raw.get("key"):
            raise DefinitionError("a questionnaire needs a key")
        key = _key(raw["key"], "questionnaire")
        seen: dict[str, Question] = {}
        sections = []
        section_keys = set()
        for s_raw in _objects(raw.get("sections"), "sections"):
            s_key = _key(s_raw.get("key"), "section")
            if s_key in section_keys:
                raise DefinitionError(f"section key missing or repeated: {s_key!r}")
            section_keys.add(s_key)
            questions = []
            for q_raw in _objects(s_raw.get("questions"), f"section {s_key} questions"):
                question = _question(q_raw, seen)
                seen[question.key] = question
                questions.append(question)
            if not questions:
                raise DefinitionError(f"section {s_key}: has no questions")
            sections.append(
                Section(
                    key=s_key,
                    title=_text(s_raw.get("title"), f"section {s_key}"),
                    questions=tuple(questions),
                )
            )
        if not sections:
            raise DefinitionError("a questionnaire needs at least one section")
        return cls(
            key=key,
            title=_text(raw.get("title"), "questionnaire title"),
            sections=tuple(sections),
        )


def _question(raw: dict[str, Any], seen: dict[str, Question]) -> Question:
    key = _key(raw.get("key"), "question")
    where = f"question {key}"
    if key in seen:
        raise DefinitionError(f"question key missing or repeated: {key!r}")
    q_type = raw.get("type")
    if q_type not in QUESTION_TYPES:
        raise DefinitionError(f"{where}: unknown type {q_type!r}")
    if not isinstance(raw.get("medical"), bool):
        raise DefinitionError(f"{where}: must be classified medical true or false")
    if not isinstance(raw.get("required", False), bool):
        raise DefinitionError(f"{where}: required must be true or false")
    options: tuple[Option, ...] = ()
    if q_type in CHOICE_TYPES:
        raw_options = _objects(raw.get("options"), f"{where} options")
        if any(not isinstance(o.get("value"), str | int) for o in raw_options):
            raise DefinitionError(f"{where}: every option needs a value")
        options = tuple(
            Option(
                value=str(o["value"]),
                label=_text(o.get("label"), f"{where} option {o['value']}"),
                score=_whole(o.get("score", 0), f"{where} option {o['value']} score"),
            )
            for o in raw_options
        )
        if len(options) < 2 or len({o.value for o in options}) != len(options):
            raise DefinitionError(f"{where}: needs two or more distinct options")
    minimum = _number(raw.get("min"), f"{where} min")
    maximum = _number(raw.get("max"), f"{where} max")
    if q_type == "scale" and (minimum is None or maximum is None or minimum >= maximum):
        raise DefinitionError(f"{where}: a scale needs min < max")
    condition = None
    if raw.get("show_if"):
        cond = raw["show_if"]
        if not isinstance(cond, dict) or not isinstance(cond.get("in"), list):
            raise DefinitionError(
                f"{where}: show_if needs a question and a list of values (in)"
            )
        target = seen.get(str(cond.get("question")))
        if target is None or target.type not in CHOICE_TYPES:
            raise DefinitionError(
                f"{where}: show_if must name an earlier choice question"
            )
        values = tuple(str(v) for v in cond.get("in") or [])
        if not values or any(target.option(v) is None for v in values):
            raise DefinitionError(f"{where}: show_if values must be options of it")
        condition = Condition(question=target.key, values=values)
    return Question(
        key=key,
        type=q_type,
        text=_text(raw.get("text"), where),
        medical=raw["medical"],
        required=raw.get("required", False),
        options=options,
        minimum=minimum,
        maximum=maximum,
        max_length=_max_length(raw.get("max_length", TEXT_MAX_LENGTH), where),
        show_if=condition,
        help=_text(raw["help"], f"{where} help") if raw.get("help") else None,
    )


def _max_length(raw: Any, where: str) -> int:
    length = _whole(raw, f"{where} max_length")
    if not 1 <= length <= TEXT_MAX_LENGTH:
        raise DefinitionError(
            f"{where}: max_length must be from 1 to {TEXT_MAX_LENGTH}"
        )
    return length


def is_visible(question: Question, answers: dict[str, Any]) -> bool:
    """Whether a conditional question applies, given the answers so far."""
    cond = question.show_if
    if cond is None:
        return True
    given = answers.get(cond.question)
    given_values = given if isinstance(given, list) else [given]
    return any(str(v) in cond.values for v in given_values if v is not None)


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.problem = Problem(code=code, params=tuple(sorted(params.items())))


def _clean_one(question: Question, value: Any) -> Any:
    """One answer, normalised; raises ``_Refused`` with the problem."""
    q = question
    if q.type == "single":
        if q.option(str(value)) is None:
            raise _Refused("choice")
        return str(value)
    if q.type == "multiple":
        values = value if isinstance(value, list) else [value]
        values = [str(v) for v in values]
        if any(q.option(v) is None for v in values) or len(set(values)) != len(values):
            raise _Refused("choices")
        return values
    if q.type in ("scale", "number"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _Refused("number") from None
        if not math.isfinite(number):
            raise _Refused("number")
        if q.type == "scale" and number != int(number):
            raise _Refused("whole")
        low = q.minimum if q.minimum is not None else -math.inf
        high = q.maximum if q.maximum is not None else math.inf
        if not low <= number <= high:
            raise _Refused("range", min=q.minimum, max=q.maximum)
        return int(number) if number == int(number) else number
    if q.type == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise _Refused("date") from None
    text = str(value).strip()
    if len(text) > q.max_length:
        raise _Refused("length", max=q.max_length)
    return text


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def answers_clean(
    definition: Definition,
    answers: dict[str, Any],
    *,
    section: str | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Check answers (of one ``section``, or all) and return them normalised.

    Unknown keys and answers to questions whose condition does not hold are
    dropped; a required visible question without an answer is an error
    unless ``partial`` (saving a page on the way). All problems are reported
    at once in ``AnswerErrors``.
    """
    questions = [
        q
        for s in definition.sections
        if section is None or s.key == section
        for q in s.questions
    ]
    context = dict(answers)
    cleaned: dict[str, Any] = {}
    errors: dict[str, Problem] = {}
    for q in questions:
        if not is_visible(q, context):
            context.pop(q.key, None)
            continue
        value = answers.get(q.key)
        if _empty(value):
            if q.required and not partial:
                errors[q.key] = Problem(code="required")
            continue
        try:
            cleaned[q.key] = _clean_one(q, value)
        except _Refused as refused:
            errors[q.key] = refused.problem
        context[q.key] = cleaned.get(q.key)
    if errors:
        raise AnswerErrors(errors)
    return cleaned


def answers_split(
    definition: Definition, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(non-medical, medical) answers, by each question's classification."""
    questions = definition.questions
    plain = {k: v for k, v in answers.items() if not questions[k].medical}
    medical = {k: v for k, v in answers.items() if questions[k].medical}
    return plain, medical


def score(definition: Definition, answers: dict[str, Any]) -> int:
    """The sum of the scores of the chosen options (routing uses it)."""
    total = 0
    for key, value in answers.items():
        question = definition.questions.get(key)
        if question is None or question.type not in CHOICE_TYPES:
            continue
        for v in value if isinstance(value, list) else [value]:
            option = question.option(str(v))
            total += option.score if option else 0
    return total
