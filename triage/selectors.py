"""Reads of the triage app. Medical answers only through
``response_medical_get`` (checked and logged)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import cases_visible_to
from accounts.models import User
from cases.models import AbsenceCase, CaseStatus
from triage.engine import Definition, Question
from triage.models import (
    Invitation,
    InvitationStatus,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    RoutingDecision,
)


def case_invitations(*, case: AbsenceCase) -> list[Invitation]:
    """The questionnaires sent on ``case``, newest first, with their answers'
    non-medical part (one query)."""
    return list(
        Invitation.objects.filter(case=case)
        .select_related("version__questionnaire", "response")
        .order_by("-sent_at", "-pk")
    )


def questionnaires_sendable() -> QuerySet[Questionnaire]:
    """Active questionnaires of the tenant with a published version."""
    return (
        Questionnaire.objects.filter(is_active=True)
        .filter(
            Exists(
                QuestionnaireVersion.objects.filter(
                    questionnaire=OuterRef("pk"), published_at__isnull=False
                )
            )
        )
        .order_by("name")
    )


def invitations_unanswered(*, actor: User) -> QuerySet[Invitation]:
    """Invitations on open cases ``actor`` can see that are not answered:
    still open, or expired without an answer; the longest waiting first."""
    return (
        Invitation.objects.filter(
            case__in=cases_visible_to(actor),
            case__status=CaseStatus.OPEN,
            status__in=(InvitationStatus.SENT, InvitationStatus.STARTED),
        )
        .select_related(
            "version__questionnaire", "case__employee__employer", "case__regiehouder"
        )
        .order_by("sent_at", "pk")
    )


def invitations_open_for_employee(*, actor: User) -> QuerySet[Invitation]:
    """Open, unexpired invitations on the cases of the employee ``actor`` is
    (a werknemer who has an account sees them on their home page)."""
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            case__in=cases_visible_to(actor),
            case__employee__user=actor,
            case__status=CaseStatus.OPEN,
            status__in=(InvitationStatus.SENT, InvitationStatus.STARTED),
            expires_at__gt=timezone.now(),
        )
        .select_related("version")
        .order_by("sent_at", "pk")
    )


def invitation_get(*, actor: User, pk: int) -> Invitation | None:
    """An invitation on a case ``actor`` can see, with its plain answers."""
    return (
        Invitation.objects.filter(pk=pk, case__in=cases_visible_to(actor))
        .select_related("version__questionnaire", "case__employee", "response")
        .first()
    )


def response_medical_get(
    *, actor: User, response_id: int, remote_addr: str | None
) -> tuple[Response, dict]:
    """The medical answers of a response, for the bedrijfsarts and taakdelegatie
    only; the read is logged first. 404 for everyone else."""
    from poortwachter.selectors import medical_record_get

    response, medical = medical_record_get(
        actor=actor,
        model=Response,
        pk=response_id,
        record_type="questionnaire_medical",
        remote_addr=remote_addr,
        case_path="invitation__case",
        related=("invitation__version",),
    )
    return response, json.loads(medical.answers) if medical.answers else {}


@dataclass(frozen=True)
class AnswerLine:
    question: str
    answer: str
    medical: bool


@dataclass(frozen=True)
class AnswerSection:
    title: str
    lines: tuple[AnswerLine, ...]


def answers_readable(
    *, definition: Definition, answers: dict, language: str, medical: bool
) -> list[AnswerSection]:
    """The answers as question-and-answer lines per section, in ``language``:
    only the medical questions (``medical``) or only the others, never both."""
    sections = []
    for section in definition.sections:
        lines = tuple(
            AnswerLine(
                q.text[language], _answer_text(q, answers[q.key], language), q.medical
            )
            for q in section.questions
            if q.medical == medical and q.key in answers
        )
        if lines:
            sections.append(AnswerSection(section.title[language], lines))
    return sections


def _answer_text(question: Question, value: object, language: str) -> str:
    if question.type in ("single", "multiple"):
        values = value if isinstance(value, list) else [value]
        labels = []
        for v in values:
            option = question.option(str(v))
            labels.append(option.label[language] if option else str(v))
        return ", ".join(labels)
    if question.type == "scale":
        return f"{value} ({question.minimum:g}-{question.maximum:g})"
    if question.type == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
        except ValueError:
            return str(value)
    return str(value)


def routing_decision_latest(*, case: AbsenceCase) -> RoutingDecision | None:
    """The newest routing proposal of ``case`` (with its decision, if any)."""
    return (
        RoutingDecision.objects.filter(case=case).select_related("decided_by").first()
    )


def routing_decision_get(*, actor: User, decision_id: int) -> RoutingDecision:
    """One routing proposal on a case ``actor`` may see; 404 otherwise."""
    return get_object_or_404(
        RoutingDecision.objects.filter(case__in=cases_visible_to(actor)).select_related(
            "case__employee", "decided_by"
        ),
        pk=decision_id,
    )
