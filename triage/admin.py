"""The triage app in the tenant admin (/beheer/): questionnaires, routing
rules, and the thresholds of the early signals.

A tenant admin adapts a questionnaire by copying it ("Kopiëren en
aanpassen"), or by starting a new version of it; either gives a draft whose
definition is edited as JSON next to a readable preview, then published. A
published version is read-only: answers point at it (``triage.models``).
Every write goes through ``triage.services``.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.admin import TenantModelAdmin, tenant_admin_site
from core.exceptions import ApplicationError
from triage.engine import Definition, DefinitionError, Question
from triage.models import (
    Questionnaire,
    QuestionnaireVersion,
    RoutingPolicy,
    SignalPolicy,
)
from triage.services import (
    questionnaire_copy,
    questionnaire_version_delete,
    questionnaire_version_draft,
    questionnaire_version_publish,
    questionnaire_version_update,
    routing_rules_check,
)


def _status(version: QuestionnaireVersion) -> str:
    return gettext("Gepubliceerd") if version.published_at else gettext("Concept")


class QuestionnaireVersionInline(admin.TabularInline):
    model = QuestionnaireVersion
    fields = ["number", "status", "published_at"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("status"))
    def status(self, obj: QuestionnaireVersion) -> str:
        return _status(obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        versions = self.admin_site.get_model_admin(QuestionnaireVersion)
        return versions.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire, site=tenant_admin_site)
class QuestionnaireAdmin(TenantModelAdmin):
    list_display = ["name", "key", "is_active", "newest_published", "has_draft"]
    list_filter = ["is_active"]
    search_fields = ["name", "key"]
    fields = ["name", "key", "is_active", "copied_from_link"]
    readonly_fields = ["key", "copied_from_link"]
    inlines = [QuestionnaireVersionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Questionnaire]:
        drafts = QuestionnaireVersion.objects.filter(
            questionnaire=OuterRef("pk"), published_at__isnull=True
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                newest_published_number=Max(
                    "versions__number",
                    filter=Q(versions__published_at__isnull=False),
                ),
                draft_exists=Exists(drafts),
            )
        )

    @admin.display(
        description=_("nieuwste gepubliceerde versie"),
        ordering="newest_published_number",
    )
    def newest_published(self, obj: Questionnaire) -> int | None:
        return obj.newest_published_number  # type: ignore[attr-defined]

    @admin.display(description=_("concept"), boolean=True, ordering="draft_exists")
    def has_draft(self, obj: Questionnaire) -> bool:
        return bool(obj.draft_exists)  # type: ignore[attr-defined]

    @admin.display(description=_("gekopieerd van"))
    def copied_from_link(self, obj: Questionnaire) -> str:
        if obj.copied_from is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', _change_url(self, obj.copied_from), obj.copied_from
        )

    # New questionnaires come from copying; one in use is retired with
    # "in gebruik", never deleted (invitations and answers point at it).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/copy/",
                wrap(require_POST(self.copy_view)),
                name=f"{name}_copy",
            ),
            path(
                "<path:object_id>/new-version/",
                wrap(require_POST(self.new_version_view)),
                name=f"{name}_new_version",
            ),
            *super().get_urls(),
        ]

    def _questionnaire(self, request: HttpRequest, object_id: str) -> Questionnaire:
        questionnaire = self.get_object(request, unquote(object_id))
        if questionnaire is None or not self.has_change_permission(
            request, questionnaire
        ):
            raise Http404
        return questionnaire

    def copy_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Kopiëren en aanpassen: a copy with a draft, opened for editing."""
        questionnaire = self._questionnaire(request, object_id)
        try:
            duplicate = questionnaire_copy(
                actor=request.user, questionnaire=questionnaire
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return redirect(_change_url(self, questionnaire))
        self.message_user(
            request,
            gettext("Kopie “%(name)s” gemaakt. Pas het concept aan en publiceer het.")
            % {"name": duplicate.name},
            messages.SUCCESS,
        )
        return redirect(_change_url(self, duplicate.versions.get()))

    def new_version_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Nieuwe versie: a draft from the newest version, opened for editing."""
        questionnaire = self._questionnaire(request, object_id)
        newest = questionnaire.versions.order_by("-number").first()
        try:
            if newest is None:
                raise ApplicationError(
                    gettext("Deze vragenlijst heeft nog geen versie.")
                )
            draft = questionnaire_version_draft(
                actor=request.user,
                questionnaire=questionnaire,
                definition=newest.definition,
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return redirect(_change_url(self, questionnaire))
        return redirect(_change_url(self, draft))


def _change_url(
    model_admin: admin.ModelAdmin, obj: Questionnaire | QuestionnaireVersion
) -> str:
    opts = obj._meta
    return reverse(
        f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
        args=[obj.pk],
    )


class DefinitionField(forms.JSONField):
    """JSON shown indented, so an admin can read and edit it."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class QuestionnaireVersionForm(forms.ModelForm):
    definition = DefinitionField(
        label=_("inhoud (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
        help_text=_(
            "Elke vraag heeft een tekst in het Nederlands (nl) en Engels (en) en "
            'is ingedeeld als medisch of niet ("medical": true of false).'
        ),
    )
    actor: Any = None  # set per request by QuestionnaireVersionAdmin.get_form

    class Meta:
        model = QuestionnaireVersion
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("definition", self.instance.definition)

    def clean(self) -> dict[str, Any]:
        # The admin lets only a form stop a save, so the draft is written
        # here, through the service; a refusal becomes a form error and the
        # draft stays as it was. QuestionnaireVersionAdmin.save_model then has
        # nothing left to do.
        cleaned = super().clean()
        definition = cleaned.get("definition")
        if "definition" in cleaned and definition != self.instance.definition:
            try:
                questionnaire_version_update(
                    actor=self.actor, version=self.instance, definition=definition
                )
            except ApplicationError as error:
                error.add_to_form(self)
        return cleaned


@admin.register(QuestionnaireVersion, site=tenant_admin_site)
class QuestionnaireVersionAdmin(TenantModelAdmin):
    form = QuestionnaireVersionForm
    list_display = ["questionnaire_name", "number", "status", "published_at"]
    list_display_links = ["questionnaire_name", "number"]
    list_filter = ["questionnaire"]
    list_select_related = ["questionnaire"]
    ordering = ["questionnaire__name", "-number"]
    # The definition is the form's own field, saved through the service.
    exclude = ["definition"]
    readonly_fields = [
        "questionnaire_link",
        "number",
        "status",
        "published_at",
        "preview",
        "definition_text",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.published_at is None:
            return ["questionnaire_link", "number", "status", "definition", "preview"]
        return [
            "questionnaire_link",
            "number",
            "status",
            "published_at",
            "preview",
            "definition_text",
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # a fresh class per request
        return form

    @admin.display(description=_("status"))
    def status(self, obj: QuestionnaireVersion) -> str:
        return _status(obj)

    @admin.display(description=_("vragenlijst"), ordering="questionnaire__name")
    def questionnaire_name(self, obj: QuestionnaireVersion) -> str:
        return obj.questionnaire.name

    @admin.display(description=_("vragenlijst"))
    def questionnaire_link(self, obj: QuestionnaireVersion) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            _change_url(self, obj.questionnaire),
            obj.questionnaire.name,
        )

    @admin.display(description=_("inhoud (JSON)"))
    def definition_text(self, obj: QuestionnaireVersion) -> SafeString:
        text = json.dumps(obj.definition, indent=2, ensure_ascii=False)
        return format_html('<pre class="questionnaire-json">{}</pre>', text)

    @admin.display(description=_("voorbeeld"))
    def preview(self, obj: QuestionnaireVersion) -> SafeString:
        return definition_preview(obj.definition)

    # A published version never changes and stays: answers point at it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or obj.published_at is None
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Drafts only, each from its own page (no bulk action).
        return (
            super().has_delete_permission(request, obj)
            and obj is not None
            and obj.published_at is None
        )

    def save_model(
        self,
        request: HttpRequest,
        obj: QuestionnaireVersion,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        """Saved already by the form, through ``questionnaire_version_update``."""

    def delete_model(self, request: HttpRequest, obj: QuestionnaireVersion) -> None:
        questionnaire_version_delete(actor=request.user, version=obj)

    def response_change(
        self, request: HttpRequest, obj: QuestionnaireVersion
    ) -> HttpResponse:
        if "_publish" not in request.POST:
            return super().response_change(request, obj)
        try:
            questionnaire_version_publish(actor=request.user, version=obj)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext(
                    "Versie %(number)d van “%(name)s” is gepubliceerd; nieuwe "
                    "uitnodigingen krijgen deze versie."
                )
                % {"number": obj.number, "name": obj.questionnaire.name},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(_change_url(self, obj))


def _type_label(question: Question) -> str:
    labels = {
        "single": gettext("één keuze"),
        "multiple": gettext("meerdere keuzes"),
        "scale": gettext("schaal"),
        "date": gettext("datum"),
        "number": gettext("getal"),
        "text": gettext("tekst"),
    }
    label = labels[question.type]
    if question.type == "scale":
        label = f"{label} {question.minimum:g} - {question.maximum:g}"
    return label


def _question_row(question: Question) -> SafeString:
    options = format_html_join(
        "",
        "<li>{} <small>({})</small></li>",
        ((o.label["nl"], o.score) for o in question.options),
    )
    condition = ""
    if question.show_if is not None:
        condition = gettext("alleen als %(question)s = %(values)s") % {
            "question": question.show_if.question,
            "values": ", ".join(question.show_if.values),
        }
    return format_html(
        "<tr><td><code>{}</code></td><td>{}<br><small>{}</small>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        question.key,
        question.text["nl"],
        question.text["en"],
        format_html("<ul>{}</ul>", options) if question.options else "",
        _type_label(question),
        format_html("<strong>{}</strong>", gettext("ja"))
        if question.medical
        else gettext("nee"),
        gettext("ja") if question.required else gettext("nee"),
        condition,
    )


def definition_preview(raw: Any) -> SafeString:
    """The definition as a person reads it: sections, then per question its
    text (nl, en), options with scores, type, medical yes/no, required and
    condition."""
    try:
        definition = Definition.parse(raw)
    except DefinitionError as error:
        return format_html(
            '<p class="errornote">{}</p>',
            gettext("De vragenlijst klopt niet: %(reason)s") % {"reason": error},
        )
    head = format_html(
        "<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "<th>{}</th></tr></thead>",
        gettext("sleutel"),
        gettext("vraag"),
        gettext("soort"),
        gettext("medisch"),
        gettext("verplicht"),
        gettext("voorwaarde"),
    )
    sections = format_html_join(
        "",
        "<h4>{} <small>({})</small></h4><table>{}<tbody>{}</tbody></table>",
        (
            (
                section.title["nl"],
                section.title["en"],
                head,
                format_html_join(
                    "", "{}", ((_question_row(q),) for q in section.questions)
                ),
            )
            for section in definition.sections
        ),
    )
    return format_html(
        '<div class="questionnaire-preview"><h3>{} <small>({})</small></h3>{}</div>',
        definition.title["nl"],
        definition.title["en"],
        sections,
    )


# --- Early signals: the tenant's thresholds (SignalPolicy) -------------------


@admin.register(SignalPolicy, site=tenant_admin_site)
class SignalPolicyAdmin(TenantModelAdmin):
    """One row per tenant; without it the defaults apply."""

    list_display = [
        "__str__",
        "frequent_absence_count",
        "frequent_absence_months",
        "no_contact_days",
        "manager_contact_days",
        "questionnaire_hours",
    ]
    fieldsets = [
        (None, {"fields": ["frequent_absence_count", "frequent_absence_months"]}),
        (None, {"fields": ["no_contact_days", "manager_contact_days"]}),
        (None, {"fields": ["questionnaire_hours"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SignalPolicy.objects.exists()


# --- end of early signals -----------------------------------------------------


class RulesField(forms.JSONField):
    """JSON shown indented, so a tenant admin can read and edit the rules."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class RoutingPolicyForm(forms.ModelForm):
    rules = RulesField(
        label=_("regels"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=_(
            "Per regel: id, label (nl en en), voorwaarde (when) en voorstel "
            "(then: route, early_consult, interventions). Zie de meegeleverde "
            "regels als voorbeeld."
        ),
    )

    class Meta:
        model = RoutingPolicy
        fields = ["questionnaire_key", "rules"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key, rules = cleaned.get("questionnaire_key"), cleaned.get("rules")
        if key is None or "rules" in self.errors:
            return cleaned
        # The tenant is not a form field, so the unique constraint is checked
        # here, inside the tenant scope.
        if (
            RoutingPolicy.objects.filter(questionnaire_key=key)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "questionnaire_key",
                _("Voor deze vragenlijst bestaan al routeringsregels."),
            )
            return cleaned
        try:
            routing_rules_check(questionnaire_key=key, rules=rules)
        except ApplicationError as error:
            error.add_to_form(self)
        return cleaned


@admin.register(RoutingPolicy, site=tenant_admin_site)
class RoutingPolicyAdmin(TenantModelAdmin):
    form = RoutingPolicyForm
    list_display = ["questionnaire_key", "updated_at"]
