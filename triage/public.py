"""The employee's questionnaire pages, reached by a signed link without an
account (``/vragenlijst/<token>/``).

Outside ``/t/<slug>/``: the token names the tenant, so each request opens
that tenant's scope itself (``accounts.scoping``) after the signature holds.
A refused link gets a page saying what to do and nothing of the invitation.
The pages are never cached and never send their address (with its token)
to another site as a referrer (``same-origin``: a stricter ``no-referrer``
makes the browser send ``Origin: null``, which Django's CSRF check refuses).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scoping import tenant_scope
from core.exceptions import ApplicationError
from triage.engine import (
    AnswerErrors,
    Definition,
    Question,
    answers_clean,
    is_visible,
)
from triage.links import LinkRefused, invitation_open, invitation_tenant
from triage.messages import problem_message
from triage.models import Invitation, Response
from triage.services import response_answers, response_save

LANGUAGES = ("nl", "en")

# What a refused link answers: the HTTP status and the page's reason.
REFUSAL_STATUS = {
    "tampered": 404,
    "unknown": 404,
    "expired": 410,
    "revoked": 410,
    "completed": 410,
}


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _language(request: HttpRequest, default: str) -> str:
    chosen = request.GET.get("lang")
    return chosen if chosen in LANGUAGES else default


def _with_query(url: str, request: HttpRequest, **extra: str) -> str:
    query = request.GET.copy()
    query.pop("check", None)
    for key, value in extra.items():
        query[key] = value
    return f"{url}?{query.urlencode()}" if query else url


def with_invitation(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Resolve the token to its open invitation inside its tenant's scope and
    language, or answer with the refusal page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            tenant, public_id = invitation_tenant(token)
            with tenant_scope(tenant):
                invitation = invitation_open(public_id)
                with translation.override(_language(request, invitation.language)):
                    return _private(view(request, invitation, token, **kwargs))
        except LinkRefused as refused:
            with translation.override(_language(request, refused.language or "nl")):
                return _private(
                    render(
                        request,
                        "triage/public/refused.html",
                        {"reason": refused.reason},
                        status=REFUSAL_STATUS[refused.reason],
                    )
                )

    return wrapped


@dataclass
class Field:
    """One question as the page shows it, in the active language."""

    question: Question
    text: str
    help: str
    value: Any
    error: str
    options: list[tuple[str, str, bool]]
    show_if_question: str
    show_if_values: str
    visible: bool

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def type(self) -> str:
        return self.question.type

    @property
    def scale(self) -> list[tuple[int, bool]]:
        low, high = int(self.question.minimum), int(self.question.maximum)
        return [(n, str(self.value) == str(n)) for n in range(low, high + 1)]


def _fields(
    definition: Definition,
    section_key: str,
    values: dict[str, Any],
    errors: dict[str, str],
    language: str,
) -> list[Field]:
    section = next(s for s in definition.sections if s.key == section_key)
    on_page = {q.key for q in section.questions}
    fields = []
    for q in section.questions:
        value = values.get(q.key, [] if q.type == "multiple" else "")
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        fields.append(
            Field(
                question=q,
                text=q.text[language],
                help=q.help[language] if q.help else "",
                value=value,
                error=errors.get(q.key, ""),
                options=[
                    (o.value, o.label[language], o.value in chosen) for o in q.options
                ],
                show_if_question=q.show_if.question if q.show_if else "",
                show_if_values=" ".join(q.show_if.values) if q.show_if else "",
                # A condition on this page is left to the script (and without
                # it the question shows); one on an earlier page is settled.
                visible=(q.show_if is not None and q.show_if.question in on_page)
                or is_visible(q, values),
            )
        )
    return fields


def _posted(definition: Definition, section_key: str, request: HttpRequest) -> dict:
    section = next(s for s in definition.sections if s.key == section_key)
    answers: dict[str, Any] = {}
    for q in section.questions:
        if q.type == "multiple":
            values = request.POST.getlist(q.key)
            if values:
                answers[q.key] = values
        else:
            value = request.POST.get(q.key, "").strip()
            if value:
                answers[q.key] = value
    return answers


def _stored(invitation: Invitation) -> tuple[Response | None, dict]:
    response = (
        Response.objects.select_related("medical").filter(invitation=invitation).first()
    )
    return response, response_answers(response=response)


@require_http_methods(["GET"])
@with_invitation
def start(request: HttpRequest, invitation: Invitation, token: str) -> HttpResponse:
    """What the questionnaire is, who reads what, and where to go on."""
    language = translation.get_language()
    definition = Definition.parse(invitation.version.definition)
    response, _answers = _stored(invitation)
    done = set(response.sections_done) if response else set()
    sections = [
        {
            "key": s.key,
            "title": s.title[language],
            "done": s.key in done,
            "url": _with_query(
                reverse("triage_public:section", args=[token, s.key]), request
            ),
            "count": len(s.questions),
        }
        for s in definition.sections
    ]
    next_section = next((s for s in sections if not s["done"]), sections[0])
    return render(
        request,
        "triage/public/start.html",
        {
            "title": definition.title[language],
            "sections": sections,
            "next_url": next_section["url"],
            "started": bool(done),
            "expires_at": invitation.expires_at,
            "has_medical": any(q.medical for q in definition.questions.values()),
            "other_language": _other_language_url(request, language),
        },
    )


def _other_language_url(request: HttpRequest, language: str) -> dict[str, str]:
    other = "en" if language == "nl" else "nl"
    return {
        "code": other,
        "label": "English" if other == "en" else "Nederlands",
        "url": _with_query(request.path, request, lang=other),
    }


@require_http_methods(["GET", "POST"])
@with_invitation
def section(
    request: HttpRequest, invitation: Invitation, token: str, section_key: str
) -> HttpResponse:
    """One page of questions; saved on every step, checked when moving on."""
    language = translation.get_language()
    definition = Definition.parse(invitation.version.definition)
    keys = [s.key for s in definition.sections]
    if section_key not in keys:
        return redirect(
            _with_query(reverse("triage_public:start", args=[token]), request)
        )
    index = keys.index(section_key)
    is_last = index == len(keys) - 1
    _response, stored = _stored(invitation)
    values, errors, notice = stored, {}, ""

    def url_of(key: str, **extra: str) -> str:
        url = reverse("triage_public:section", args=[token, key])
        return _with_query(url, request, **extra)

    if request.method == "POST":
        action = request.POST.get("action", "next")
        posted = _posted(definition, section_key, request)
        section_questions = {q.key for q in definition.sections[index].questions}
        values = {
            k: v for k, v in stored.items() if k not in section_questions
        } | posted
        try:
            response_save(
                invitation=invitation,
                section=section_key,
                answers=posted,
                complete_page=action in ("next", "submit"),
            )
            if action == "submit" and is_last:
                response_save(
                    invitation=invitation,
                    section=section_key,
                    answers=posted,
                    submit=True,
                )
                return redirect(
                    _with_query(reverse("triage_public:done"), request, lang=language)
                )
        except AnswerErrors as refused:
            problems = refused.errors
            if not problems.keys() & section_questions:
                # This page is fine, an earlier one is not: go there and say why.
                first = next(
                    s.key
                    for s in definition.sections
                    if any(q.key in problems for q in s.questions)
                )
                return redirect(url_of(first, check="1"))
            errors = {k: problem_message(p) for k, p in problems.items()}
            notice = _("Niet alles is bewaard: kijk de vragen met een melding na.")
        except ApplicationError as error:
            notice = error.message
        else:
            if action == "back" and index > 0:
                return redirect(url_of(keys[index - 1]))
            if action == "save":
                notice = _("Bewaard. Je kunt later verder met dezelfde link.")
            elif action == "next" and not is_last:
                return redirect(url_of(keys[index + 1]))
            values = _stored(invitation)[1]
    elif request.GET.get("check"):
        try:
            answers_clean(definition, stored, section=section_key)
        except AnswerErrors as refused:
            errors = {k: problem_message(p) for k, p in refused.errors.items()}
            notice = _("Beantwoord eerst deze vragen; daarna kun je versturen.")
    status = 400 if errors else 200
    return render(
        request,
        "triage/public/section.html",
        {
            "title": definition.title[language],
            "section_title": definition.sections[index].title[language],
            "fields": _fields(definition, section_key, values, errors, language),
            "number": index + 1,
            "total": len(keys),
            "is_first": index == 0,
            "is_last": is_last,
            "notice": notice,
            "has_errors": bool(errors),
            "start_url": _with_query(
                reverse("triage_public:start", args=[token]), request
            ),
            "other_language": _other_language_url(request, language),
        },
        status=status,
    )


@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    """Thanks; the link no longer opens the questionnaire."""
    with translation.override(_language(request, "nl")):
        return _private(render(request, "triage/public/done.html"))
