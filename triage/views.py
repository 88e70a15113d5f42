"""Pages of the triage app inside a tenant: the decision on a routing proposal."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import Action, can
from core.exceptions import ApplicationError
from triage.forms import RoutingDecisionForm
from triage.selectors import routing_decision_get
from triage.services import routing_decide
from triage.templatetags.triage_routing import routing_context


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
