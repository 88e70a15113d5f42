"""Webhooks in the tenant admin (/beheer/): endpoints and their delivery log.

An endpoint's secret is shown once, on the page that answers its creation
or a rotation, and never stored anywhere the browser keeps (no message, no
session). The delivery log is read-only; "Opnieuw versturen" sends a
delivery again. Every write goes through ``integrations.webhooks.services``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.admin import TenantModelAdmin, tenant_admin_site
from core.exceptions import ApplicationError
from integrations.webhooks import client
from integrations.webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from integrations.webhooks.services import (
    DISABLE_AFTER,
    deliveries_replay,
    endpoint_create,
    endpoint_delete,
    endpoint_ping,
    endpoint_reenable,
    endpoint_secret_rotate,
    endpoint_update,
    endpoint_validate,
)
from integrations.webhooks.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    body_ordered,
)

ERROR_LABELS = {
    client.ERROR_URL_REFUSED: _("adres geweigerd"),
    client.ERROR_ADDRESS_REFUSED: _("adres in een privé- of lokaal netwerk geweigerd"),
    client.ERROR_TIMEOUT: _("geen antwoord binnen de tijd"),
    client.ERROR_TLS: _("TLS-fout"),
    client.ERROR_CONNECTION: _("verbinding mislukt"),
}


def outcome_text(status_code: int | None, error: str) -> str:
    """``HTTP 500``, or the error in words with its technical detail."""
    if status_code is not None:
        return f"HTTP {status_code}"
    if not error:
        return "-"
    code, _sep, detail = error.partition(": ")
    label = ERROR_LABELS.get(code)
    return f"{label} ({detail})" if label else error


def _date(moment: Any) -> str:
    if moment is None:
        return "-"
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _url(model_admin: admin.ModelAdmin, view: str, *args: Any) -> str:
    opts = model_admin.opts
    return reverse(
        f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}",
        args=args,
    )


# --- endpoints ---------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 80}),
    )
    events = forms.MultipleChoiceField(
        label=_("gebeurtenissen"),
        choices=[(choice.value, choice.label) for choice in SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één gebeurtenis.")},
        help_text=_(
            "Berichten bevatten alleen nummers, datums en percentages; nooit "
            "medische gegevens, namen of BSN."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["events"] = endpoint_validate(
                name=cleaned.get("name", ""),
                url=cleaned.get("url", ""),
                events=cleaned.get("events", []),
            )
        except ApplicationError as error:
            error.add_to_form(self)
        return cleaned


@admin.register(WebhookEndpoint, site=tenant_admin_site)
class WebhookEndpointAdmin(TenantModelAdmin):
    form = WebhookEndpointForm
    list_display = [
        "name",
        "url",
        "event_list",
        "state",
        "consecutive_failures",
        "last_success_at",
        "deliveries_link",
    ]
    readonly_fields = [
        "state",
        "secret_created_at",
        "last_success_at",
        "failing_since",
        "consecutive_failures",
        "created_at",
        "deliveries_link",
    ]
    search_fields = ["name", "url"]
    change_form_template = "admin/webhooks/webhookendpoint/change_form.html"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["name", "url", "events", "is_active"]
        if obj is None:
            return fields
        return [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else list(self.readonly_fields)

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        # Secrets are decrypted only by the services that sign or rotate.
        return super().get_queryset(request).defer("secret", "previous_secret")

    @admin.display(description=_("gebeurtenissen"))
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    @admin.display(description=_("status"))
    def state(self, obj: WebhookEndpoint) -> SafeString:
        if obj.disabled_at is not None:
            return format_html(
                '<strong class="webhook-disabled">{}</strong>',
                gettext("Uitgeschakeld sinds %(date)s")
                % {"date": _date(obj.disabled_at)},
            )
        if not obj.is_active:
            return format_html("{}", gettext("Niet actief"))
        return format_html("{}", gettext("Actief"))

    @admin.display(description=_("leveringen"))
    def deliveries_link(self, obj: WebhookEndpoint) -> SafeString:
        if obj.pk is None:
            return format_html("-")
        url = reverse(f"{self.admin_site.name}:webhooks_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">{}</a>',
            url,
            obj.pk,
            gettext("Leveringen bekijken"),
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            _warn_platform_off(request)
            for endpoint in WebhookEndpoint.objects.filter(disabled_at__isnull=False):
                self.message_user(request, _disabled_notice(endpoint), messages.ERROR)
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        endpoint = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if endpoint is not None and endpoint.disabled_at is not None:
            extra["disabled_notice"] = _disabled_notice(endpoint)
        extra["platform_off"] = not settings.WEBHOOKS_ENABLED
        return super().change_view(request, object_id, form_url, extra)

    def save_model(
        self,
        request: HttpRequest,
        obj: WebhookEndpoint,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        fields = {
            "name": form.cleaned_data["name"],
            "url": form.cleaned_data["url"],
            "events": form.cleaned_data["events"],
            "is_active": form.cleaned_data["is_active"],
        }
        if change:
            saved = endpoint_update(actor=request.user, endpoint=obj, **fields)
        else:
            saved, secret = endpoint_create(
                actor=request.user, tenant=request.tenant, **fields
            )
            request.webhook_secret = secret  # shown by response_add, once
        for field in WebhookEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: Any = None
    ) -> HttpResponse:
        return self._secret_page(request, obj, request.webhook_secret, created=True)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # The confirmation page counts the delivery log instead of listing
        # every delivery of a busy endpoint.
        endpoints = list(objs)
        deliveries = WebhookDelivery.objects.filter(endpoint__in=endpoints).count()
        counts = {
            str(WebhookEndpoint._meta.verbose_name_plural): len(endpoints),
            str(WebhookDelivery._meta.verbose_name_plural): deliveries,
        }
        return [str(endpoint) for endpoint in endpoints], counts, set(), []

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        endpoint_delete(actor=request.user, endpoint=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> None:
        for endpoint in queryset:
            endpoint_delete(actor=request.user, endpoint=endpoint)

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/rotate/",
                wrap(require_POST(self.rotate_view)),
                name=f"{name}_rotate",
            ),
            path(
                "<path:object_id>/ping/",
                wrap(require_POST(self.ping_view)),
                name=f"{name}_ping",
            ),
            path(
                "<path:object_id>/reenable/",
                wrap(require_POST(self.reenable_view)),
                name=f"{name}_reenable",
            ),
            *super().get_urls(),
        ]

    def _endpoint(self, request: HttpRequest, object_id: str) -> WebhookEndpoint:
        endpoint = self.get_object(request, unquote(object_id))
        if endpoint is None or not self.has_change_permission(request, endpoint):
            raise Http404
        return endpoint

    def _secret_page(
        self,
        request: HttpRequest,
        endpoint: WebhookEndpoint,
        secret: str,
        *,
        created: bool,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Geheim van “%(name)s”") % {"name": endpoint.name},
            "endpoint": endpoint,
            "secret": secret,
            "created": created,
            "change_url": _url(self, "change", endpoint.pk),
            "grace_hours": 24,
        }
        response = TemplateResponse(
            request, "admin/webhooks/webhookendpoint/secret.html", context
        )
        response["Cache-Control"] = "no-store"
        return response

    def rotate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Geheim vernieuwen: a new secret, shown once."""
        endpoint = self._endpoint(request, object_id)
        secret = endpoint_secret_rotate(actor=request.user, endpoint=endpoint)
        return self._secret_page(request, endpoint, secret, created=False)

    def ping_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Testbericht versturen: a ``ping`` event to this endpoint."""
        endpoint = self._endpoint(request, object_id)
        try:
            delivery = endpoint_ping(actor=request.user, endpoint=endpoint)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(_url(self, "change", endpoint.pk))
        self.message_user(
            request,
            gettext(
                "Testbericht klaargezet; het resultaat staat binnen een minuut in "
                "de leveringen."
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            _url(
                self.admin_site.get_model_admin(WebhookDelivery), "change", delivery.pk
            )
        )

    def reenable_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Opnieuw inschakelen: only an admin turns a disabled endpoint on."""
        endpoint = self._endpoint(request, object_id)
        try:
            endpoint_reenable(actor=request.user, endpoint=endpoint)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext(
                    "“%(name)s” is weer ingeschakeld; wachtende leveringen worden "
                    "verstuurd. Opgegeven leveringen kunt u opnieuw versturen."
                )
                % {"name": endpoint.name},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(_url(self, "change", endpoint.pk))


def _disabled_notice(endpoint: WebhookEndpoint) -> str:
    return gettext(
        "Webhook-endpoint “%(name)s” is op %(date)s uitgeschakeld: er is "
        "minstens %(days)d dagen niets geleverd en de laatste %(count)d "
        "pogingen mislukten (laatste fout: %(reason)s). Herstel de ontvanger "
        "en kies “Opnieuw inschakelen”."
    ) % {
        "name": endpoint.name,
        "date": _date(endpoint.disabled_at),
        "days": DISABLE_AFTER.days,
        "count": endpoint.consecutive_failures,
        "reason": outcome_text(None, endpoint.disabled_reason),
    }


def _warn_platform_off(request: HttpRequest) -> None:
    if not settings.WEBHOOKS_ENABLED:
        messages.warning(
            request,
            gettext(
                "Webhooks staan op dit platform uit: gebeurtenissen worden "
                "vastgelegd maar nog niet verstuurd."
            ),
        )


# --- the delivery log --------------------------------------------------------


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "started_at", "outcome", "duration_ms", "manual", "excerpt"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    can_delete = False

    @admin.display(description=_("resultaat"))
    def outcome(self, obj: WebhookAttempt) -> str:
        return outcome_text(obj.status_code, obj.error)

    @admin.display(description=_("begin van het antwoord"))
    def excerpt(self, obj: WebhookAttempt) -> str:
        return obj.response_excerpt[:200]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.get_model_admin(WebhookDelivery).has_view_permission(
            request
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery, site=tenant_admin_site)
class WebhookDeliveryAdmin(TenantModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempt_count",
        "last_outcome",
        "next_attempt_at",
    ]
    list_filter = ["status", "event__type", "endpoint"]
    list_select_related = ["event", "endpoint"]
    list_per_page = 50
    search_fields = ["event__event_id"]
    actions = ["replay_selected"]
    fields = [
        "endpoint",
        "event_type",
        "event_id",
        "status",
        "attempt_count",
        "last_outcome",
        "next_attempt_at",
        "delivered_at",
        "duration_ms",
        "request_headers",
        "request_body",
        "response",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    change_form_template = "admin/webhooks/webhookdelivery/change_form.html"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # Event ids are UUIDs: match one exactly rather than by substring.
        term = search_term.strip()
        if not term:
            return queryset, False
        if not _is_uuid(term):
            return queryset.none(), False
        return queryset.filter(event__event_id=term), False

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return (
            super()
            .get_queryset(request)
            .defer("endpoint__secret", "endpoint__previous_secret")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("gebeurtenis"), ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type

    @admin.display(description=_("event-id"))
    def event_id(self, obj: WebhookDelivery) -> str:
        return str(obj.event.event_id)

    @admin.display(description=_("laatste resultaat"))
    def last_outcome(self, obj: WebhookDelivery) -> str:
        return outcome_text(obj.last_status_code, obj.last_error)

    @admin.display(description=_("headers"))
    def request_headers(self, obj: WebhookDelivery) -> SafeString:
        lines = [
            "Content-Type: application/json; charset=utf-8",
            f"{EVENT_ID_HEADER}: {obj.event.event_id}",
            f"{EVENT_TYPE_HEADER}: {obj.event.type}",
            f"{SIGNATURE_HEADER}: t=…,v1=…",
        ]
        return format_html(
            "<pre>{}</pre><p class='help'>{}</p>",
            "\n".join(lines),
            gettext("De handtekening wordt bij elke poging opnieuw berekend."),
        )

    @admin.display(description=_("verstuurde inhoud"))
    def request_body(self, obj: WebhookDelivery) -> SafeString:
        text = json.dumps(body_ordered(obj.event.payload), indent=2, ensure_ascii=False)
        return format_html('<pre class="webhook-json">{}</pre>', text)

    @admin.display(description=_("begin van het antwoord"))
    def response(self, obj: WebhookDelivery) -> SafeString:
        return format_html('<pre class="webhook-json">{}</pre>', obj.response_excerpt)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            _warn_platform_off(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Geselecteerde leveringen opnieuw versturen"))
    def replay_selected(
        self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]
    ) -> None:
        try:
            count = deliveries_replay(actor=request.user, deliveries=queryset)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d levering wordt opnieuw verstuurd.",
                "%(count)d leveringen worden opnieuw verstuurd.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/replay/",
                self.admin_site.admin_view(require_POST(self.replay_view)),
                name=f"{name}_replay",
            ),
            *super().get_urls(),
        ]

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Opnieuw versturen: the same event again, with a fresh signature."""
        delivery = self.get_object(request, unquote(object_id))
        if delivery is None or not self.has_view_permission(request, delivery):
            raise Http404
        try:
            deliveries_replay(actor=request.user, deliveries=[delivery])
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("De levering wordt opnieuw verstuurd."),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(_url(self, "change", delivery.pk))


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
