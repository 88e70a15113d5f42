"""Routing rules: from triage answers to a proposed route, as data.

A tenant's rule set (JSON, shipped under ``triage/data/routing/`` and
adapted in the tenant admin) is a list of rules. Each rule has an ``id``, a
``label`` in Dutch and English, a condition (``when``) and what it proposes
(``then``): the complex route, an early bedrijfsarts consult, interventions.
Every rule whose condition holds fires; the route is ``complex`` when any
fired rule says so, else ``regulier`` (seed 001: "Complex: inzet
casemanagement vanaf dag 1 ... Regulier: Verzuim Coach").

Conditions::

    {"score_at_least": 10}                       total score (engine.score)
    {"answer": "q", "equals": "v"}               single choice, scale, number
    {"answer": "q", "in": ["v", "w"]}            single choice, scale, number
    {"answer": "q", "includes": "v"}             multiple choice
    {"answer": "q", "at_most": 3}                scale, number
    {"answer": "q", "at_least": 7}               scale, number
    {"all": [condition, ...]}  {"any": [condition, ...]}

Rules may look at medical answers (a medically dominated case needs an early
consult), but a reason that rests on a medical answer is *medical*: people
without access to medical data only ever see ``GENERIC_MEDICAL_LABEL`` for
it, never the question, the answer or the rule's own label (DESIGN.md §4).

Pure Python like ``triage.engine``: ``parse`` checks a rule set and names
exactly what is wrong; ``propose`` applies it to answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from triage.engine import CHOICE_TYPES, LANGUAGES, Definition, Question, score

ROUTES = ("regulier", "complex")
DEFAULT_ROUTE = "regulier"
GENERIC_MEDICAL_LABEL = {
    "nl": "Op basis van antwoorden voor de bedrijfsarts",
    "en": "Based on answers for the company doctor",
}

# Which question types each answer operator applies to.
_OPERATORS: dict[str, tuple[str, ...]] = {
    "equals": ("single", "scale", "number"),
    "in": ("single", "scale", "number"),
    "includes": ("multiple",),
    "at_most": ("scale", "number"),
    "at_least": ("scale", "number"),
}
_THEN_KEYS = frozenset({"route", "early_consult", "interventions"})


class RuleSetError(ValueError):
    """A rule set is not well-formed; the message says where and what."""


@dataclass(frozen=True)
class ScoreAtLeast:
    minimum: int


@dataclass(frozen=True)
class AnswerIs:
    """An answer compared with ``operator`` to ``value`` (a tuple for ``in``)."""

    question: str
    operator: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


Condition = ScoreAtLeast | AnswerIs | AllOf | AnyOf


@dataclass(frozen=True)
class Rule:
    id: str
    label: dict[str, str]
    when: Condition
    route: str | None = None
    early_consult: bool = False
    interventions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    questionnaire: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Reason:
    """A rule that fired. ``medical`` when it rests on a medical answer (or
    on a score that only medical answers brought over its threshold)."""

    rule: str
    label: dict[str, str]
    medical: bool

    def shown_label(self, language: str) -> str:
        """The label for someone without access to medical data."""
        label = GENERIC_MEDICAL_LABEL if self.medical else self.label
        return label.get(language) or label["nl"]


@dataclass(frozen=True)
class Proposal:
    route: str
    early_consult: bool
    interventions: tuple[str, ...]
    reasons: tuple[Reason, ...]
    score: int


# --- parsing -----------------------------------------------------------------------


def _label(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(
        not isinstance(raw.get(lang), str) or not raw[lang].strip()
        for lang in LANGUAGES
    ):
        raise RuleSetError(f"{where}: needs a label in both nl and en")
    return {lang: raw[lang] for lang in LANGUAGES}


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleSetError(f"{where}: {value!r} is not a number")
    return value


def _answer_condition(
    raw: dict[str, Any], where: str, definition: Definition | None
) -> AnswerIs:
    key = raw.get("answer")
    if not isinstance(key, str) or not key:
        raise RuleSetError(f"{where}: 'answer' must name a question")
    operators = [op for op in raw if op != "answer"]
    if len(operators) != 1:
        raise RuleSetError(
            f"{where}: an answer condition needs exactly one operator "
            f"({', '.join(_OPERATORS)}), got {sorted(operators) or 'none'}"
        )
    (operator,) = operators
    if operator not in _OPERATORS:
        raise RuleSetError(
            f"{where}: unknown operator {operator!r} "
            f"(use one of {', '.join(_OPERATORS)})"
        )
    value = raw[operator]
    question = definition.questions.get(key) if definition else None
    if definition is not None:
        if question is None:
            raise RuleSetError(
                f"{where}: unknown question {key!r} in questionnaire {definition.key!r}"
            )
        if question.type not in _OPERATORS[operator]:
            raise RuleSetError(
                f"{where}: operator {operator!r} does not apply to question "
                f"{key!r} of type {question.type}"
            )
    if operator == "in":
        if not isinstance(value, list) or not value:
            raise RuleSetError(f"{where}: 'in' needs a non-empty list of values")
        values = tuple(value)
    else:
        values = (value,)
    numeric = operator in ("at_most", "at_least") or (
        question is not None and question.type not in CHOICE_TYPES
    )
    if numeric:
        values = tuple(_number(v, where) for v in values)
    else:
        values = tuple(str(v) for v in values)
        if question is not None:
            unknown = [v for v in values if question.option(v) is None]
            if unknown:
                raise RuleSetError(
                    f"{where}: {', '.join(map(repr, unknown))} is not an option "
                    f"of question {key!r}"
                )
    return AnswerIs(
        question=key,
        operator=operator,
        value=values if operator == "in" else values[0],
    )


def _condition(raw: Any, where: str, definition: Definition | None) -> Condition:
    if not isinstance(raw, dict) or not raw:
        raise RuleSetError(f"{where}: a condition must be an object")
    for combinator, cls in (("all", AllOf), ("any", AnyOf)):
        if combinator in raw:
            parts = raw[combinator]
            if len(raw) != 1 or not isinstance(parts, list) or not parts:
                raise RuleSetError(
                    f"{where}: '{combinator}' needs a non-empty list of "
                    "conditions and nothing else"
                )
            return cls(
                tuple(
                    _condition(part, f"{where} {combinator}[{index}]", definition)
                    for index, part in enumerate(parts)
                )
            )
    if "score_at_least" in raw:
        if len(raw) != 1:
            raise RuleSetError(f"{where}: 'score_at_least' stands alone")
        minimum = _number(raw["score_at_least"], where)
        if minimum != int(minimum):
            raise RuleSetError(f"{where}: 'score_at_least' must be a whole number")
        return ScoreAtLeast(int(minimum))
    if "answer" in raw:
        return _answer_condition(raw, where, definition)
    raise RuleSetError(
        f"{where}: unknown condition {sorted(raw)} "
        "(use score_at_least, answer, all or any)"
    )


def _rule(
    raw: Any,
    index: int,
    definition: Definition | None,
    intervention_kinds: Iterable[str] | None,
) -> Rule:
    if not isinstance(raw, dict):
        raise RuleSetError(f"rule {index + 1}: must be an object")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RuleSetError(f"rule {index + 1}: needs an id")
    where = f"rule {rule_id}"
    label = _label(raw.get("label"), where)
    if "when" not in raw:
        raise RuleSetError(f"{where}: needs a condition ('when')")
    when = _condition(raw["when"], where, definition)
    then = raw.get("then")
    if not isinstance(then, dict) or not then:
        raise RuleSetError(
            f"{where}: 'then' must propose a route, an early consult or interventions"
        )
    unknown = set(then) - _THEN_KEYS
    if unknown:
        raise RuleSetError(
            f"{where}: unknown proposal {sorted(unknown)} "
            f"(use {', '.join(sorted(_THEN_KEYS))})"
        )
    route = then.get("route")
    if route is not None and route not in ROUTES:
        raise RuleSetError(
            f"{where}: unknown route {route!r} (use {' or '.join(ROUTES)})"
        )
    early = then.get("early_consult", False)
    if not isinstance(early, bool):
        raise RuleSetError(f"{where}: 'early_consult' must be true or false")
    interventions = then.get("interventions", [])
    if not isinstance(interventions, list) or not all(
        isinstance(kind, str) for kind in interventions
    ):
        raise RuleSetError(f"{where}: 'interventions' must be a list of kinds")
    if intervention_kinds is not None:
        allowed = set(intervention_kinds)
        wrong = [kind for kind in interventions if kind not in allowed]
        if wrong:
            raise RuleSetError(
                f"{where}: unknown intervention kind {', '.join(map(repr, wrong))} "
                f"(use {', '.join(sorted(allowed))})"
            )
    return Rule(
        id=rule_id,
        label=label,
        when=when,
        route=route,
        early_consult=early,
        interventions=tuple(dict.fromkeys(interventions)),
    )


def parse(
    raw: Any,
    *,
    definition: Definition | None = None,
    intervention_kinds: Iterable[str] | None = None,
) -> RuleSet:
    """Check a rule set and build it; ``RuleSetError`` names the first problem.

    With ``definition``, every answer condition must name one of its
    questions, with an operator that fits the question's type and values that
    are its options. With ``intervention_kinds``, every proposed intervention
    must be one of them.
    """
    if not isinstance(raw, dict):
        raise RuleSetError("a rule set must be an object")
    questionnaire = raw.get("questionnaire")
    if not isinstance(questionnaire, str) or not questionnaire:
        raise RuleSetError("a rule set needs the key of its questionnaire")
    if definition is not None and definition.key != questionnaire:
        raise RuleSetError(
            f"the rule set is for questionnaire {questionnaire!r}, "
            f"not {definition.key!r}"
        )
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list):
        raise RuleSetError("a rule set needs a list of rules")
    rules = [
        _rule(item, index, definition, intervention_kinds)
        for index, item in enumerate(raw_rules)
    ]
    ids = [rule.id for rule in rules]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise RuleSetError(f"rule id repeated: {', '.join(repeated)}")
    return RuleSet(questionnaire=questionnaire, rules=tuple(rules))


# --- proposing ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Answers:
    definition: Definition
    all: dict[str, Any]
    total: int
    plain_total: int


def _is_medical(question: Question | None) -> bool:
    # A question the definition does not know is treated as medical: hiding
    # a harmless reason is better than showing a medical one.
    return question is None or question.medical


def _holds(condition: Condition, answers: _Answers) -> tuple[bool, bool]:
    """(holds, medical): whether ``condition`` holds, and whether that
    rests on medical answers."""
    if isinstance(condition, ScoreAtLeast):
        holds = answers.total >= condition.minimum
        return holds, holds and answers.plain_total < condition.minimum
    if isinstance(condition, AllOf):
        results = [_holds(part, answers) for part in condition.conditions]
        holds = all(h for h, _ in results)
        return holds, holds and any(m for _, m in results)
    if isinstance(condition, AnyOf):
        results = [_holds(part, answers) for part in condition.conditions]
        held = [m for h, m in results if h]
        # Held through any non-medical part: the reason needs no medical answer.
        return bool(held), bool(held) and all(held)
    question = answers.definition.questions.get(condition.question)
    medical = _is_medical(question)
    value = answers.all.get(condition.question)
    if value is None or value == "" or value == []:
        return False, False
    op, expected = condition.operator, condition.value
    if op == "includes":
        given = value if isinstance(value, list) else [value]
        return str(expected) in map(str, given), medical
    if isinstance(expected, tuple) or op == "equals":
        options = expected if isinstance(expected, tuple) else (expected,)
        if all(isinstance(o, str) for o in options):
            return str(value) in options, medical
        number = _as_number(value)
        return number is not None and number in options, medical
    number = _as_number(value)
    if number is None:
        return False, False
    holds = number <= expected if op == "at_most" else number >= expected
    return holds, medical


def _as_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def propose(
    ruleset: RuleSet, definition: Definition, answers: dict[str, Any]
) -> Proposal:
    """Apply ``ruleset`` to ``answers`` (medical and non-medical, as checked
    by ``engine.answers_clean``) of a questionnaire with ``definition``.

    Every rule whose condition holds fires, in order: the route is complex if
    any of them says so, an early consult is proposed if any asks for it, and
    the interventions are all those proposed, each once.
    """
    plain = {
        key: value
        for key, value in answers.items()
        if not _is_medical(definition.questions.get(key))
    }
    context = _Answers(
        definition=definition,
        all=answers,
        total=score(definition, answers),
        plain_total=score(definition, plain),
    )
    route = DEFAULT_ROUTE
    early_consult = False
    interventions: dict[str, None] = {}
    reasons: list[Reason] = []
    for rule in ruleset.rules:
        holds, medical = _holds(rule.when, context)
        if not holds:
            continue
        reasons.append(Reason(rule=rule.id, label=rule.label, medical=medical))
        if rule.route == "complex":
            route = "complex"
        early_consult = early_consult or rule.early_consult
        interventions.update(dict.fromkeys(rule.interventions))
    return Proposal(
        route=route,
        early_consult=early_consult,
        interventions=tuple(interventions),
        reasons=tuple(reasons),
        score=context.total,
    )
