"""Staff pages of the triage app, under ``/t/<slug>/``: sending
questionnaires from a case, reading answers, who has not answered, the
queue of early signals, and the decision on a routing proposal.

The employee's own pages (by signed link) are in ``triage.public``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Action, can, runs_cases
from cases.selectors import case_get
from core.exceptions import ApplicationError
from triage.early_signals import cases_with_signals
from triage.engine import Definition
from triage.forms import RoutingDecisionForm
from triage.models import Invitation
from triage.selectors import (
    answers_readable,
    invitation_get,
    invitations_unanswered,
    questionnaires_sendable,
    response_medical_get,
    routing_decision_get,
)
from triage.services import (
    invitation_create,
    invitation_resend,
    invitation_revoke,
    routing_decide,
)
from triage.templatetags.triage_routing import routing_context

PAGE_SIZE = 50
SIGNALS_PAGE_SIZE = 25


def _case_url(tenant_slug: str, case_id: int) -> str:
    url = reverse(
        "cases:case_detail", kwargs={"tenant_slug": tenant_slug, "pk": case_id}
    )
    return f"{url}#vragenlijsten"


@require_POST
def invitation_send(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Send a questionnaire to the employee of a case (regiehouder, casemanager)."""
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.QUESTIONNAIRE, case):
        raise Http404
    chosen = request.POST.get("questionnaire", "")
    questionnaire = (
        questionnaires_sendable().filter(pk=chosen).first()
        if chosen.isdigit()
        else None
    )
    if questionnaire is None:
        messages.error(request, _("Kies een vragenlijst."))
        return redirect(_case_url(tenant_slug, case.pk))
    try:
        invitation_create(actor=request.user, case=case, questionnaire=questionnaire)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(questionnaire)s is per e-mail naar %(name)s gestuurd.")
            % {"questionnaire": questionnaire.name, "name": case.employee.display_name},
        )
    return redirect(_case_url(tenant_slug, case.pk))


def _invitation_for_change(request: HttpRequest, pk: int) -> Invitation:
    invitation = invitation_get(actor=request.user, pk=pk)
    if invitation is None or not can(
        request.user, Action.QUESTIONNAIRE, invitation.case
    ):
        raise Http404
    return invitation


@require_POST
def invitation_resend_view(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    invitation = _invitation_for_change(request, pk)
    try:
        invitation_resend(actor=request.user, invitation=invitation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("De vragenlijst is opnieuw verstuurd."))
    if request.POST.get("next") == "unanswered":
        return redirect("triage:unanswered", tenant_slug=tenant_slug)
    return redirect(_case_url(tenant_slug, invitation.case_id))


@require_POST
def invitation_revoke_view(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    invitation = _invitation_for_change(request, pk)
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("De link naar de vragenlijst werkt niet meer."))
    return redirect(_case_url(tenant_slug, invitation.case_id))


def invitation_answers(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The non-medical answers, for everyone who sees the case; the
    bedrijfsarts (and taakdelegatie) gets a link to the medical ones."""
    invitation = invitation_get(actor=request.user, pk=pk)
    if invitation is None:
        raise Http404
    response = getattr(invitation, "response", None)
    definition = Definition.parse(invitation.version.definition)
    language = translation.get_language()
    sections = (
        answers_readable(
            definition=definition,
            answers=response.answers,
            language=language,
            medical=False,
        )
        if response
        else []
    )
    return render(
        request,
        "triage/answers.html",
        {
            "invitation": invitation,
            "case": invitation.case,
            "title": definition.title[language],
            "response": response,
            "sections": sections,
            "has_medical_questions": any(
                q.medical for q in definition.questions.values()
            ),
            "may_see_medical": can(request.user, Action.VIEW_MEDICAL, invitation.case),
        },
    )


@transaction.atomic
def invitation_medical(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The medical answers; every view is logged (404 for anyone else)."""
    invitation = invitation_get(actor=request.user, pk=pk)
    response_id = getattr(getattr(invitation, "response", None), "pk", None)
    if response_id is None:
        raise Http404
    response, answers = response_medical_get(
        actor=request.user,
        response_id=response_id,
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    definition = Definition.parse(invitation.version.definition)
    language = translation.get_language()
    page = render(
        request,
        "triage/answers_medical.html",
        {
            "invitation": invitation,
            "case": invitation.case,
            "title": definition.title[language],
            "response": response,
            "sections": answers_readable(
                definition=definition, answers=answers, language=language, medical=True
            ),
        },
    )
    page["Cache-Control"] = "no-store"
    return page


def unanswered(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Who has not answered yet, for the people who run cases: open
    invitations on open cases they can see, the longest waiting first."""
    if not runs_cases(request.user):
        raise Http404
    now = timezone.now()
    page = Paginator(invitations_unanswered(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for invitation in page:
        invitation.expired = invitation.expires_at <= now
    return render(request, "triage/unanswered.html", {"page": page})


def signals_queue_page(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The "Signalen" tab of the task queue, for those who run cases: open
    cases with an early signal, most severe and newest first."""
    if not runs_cases(request.user):
        raise Http404
    items = cases_with_signals(actor=request.user, today=timezone.localdate())
    page = Paginator(items, SIGNALS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "triage/signals_queue.html", {"page": page})


def routing_decide_view(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """The regiehouder or casemanager accepts the routing proposal or
    overrides it with a reason; errors come back on the form, input kept."""
    decision = routing_decision_get(actor=request.user, decision_id=pk)
    case = decision.case
    if not can(request.user, Action.ROUTE_DECIDE, case):
        raise Http404
    form = RoutingDecisionForm(request.POST or None, decision=decision)
    if request.method == "POST" and form.is_valid():
        try:
            routing_decide(actor=request.user, decision=decision, **form.cleaned_data)
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Het besluit over de route is vastgelegd."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request,
        "triage/routing_decide.html",
        {
            "case": case,
            **routing_context(
                user=request.user, case=case, decision=decision, form=form
            ),
        },
    )
