"""Two admin sites.

* ``tenant_admin_site`` at ``/beheer/``: a tenant administrator manages the
  employers, employees, users and memberships of their own tenant. It runs
  inside the tenant scope set by ``TenantMiddleware``, so every queryset is
  limited to that tenant; an object of another tenant is a 404.
* ``platform_admin_site`` at ``/admin/``: the platform operator (``is_staff``)
  creates tenants and their first administrator. It sees all tenants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    EMPLOYER_SCOPED_ROLES,
    AuthenticatorDevice,
    Membership,
    Role,
    Tenant,
    User,
)
from accounts.scoping import all_tenants
from accounts.two_factor import tenant_two_factor_policy_set, two_factor_reset


def _with_two_factor(queryset: models.QuerySet, user_path: str) -> models.QuerySet:
    """Annotate ``has_two_factor``: the user at ``user_path`` has a confirmed
    authenticator (one subquery, not one query per row)."""
    return queryset.annotate(
        has_two_factor=Exists(
            AuthenticatorDevice.objects.filter(user=OuterRef(user_path), confirmed=True)
        )
    )


def _is_tenant_admin(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(
        request.user.is_active
        and membership is not None
        and membership.role == Role.TENANT_ADMIN
    )


class TenantAdminSite(admin.AdminSite):
    site_header = _("Hervat — beheer")
    site_title = _("Hervat beheer")
    index_title = _("Beheer van uw organisatie")

    def has_permission(self, request: HttpRequest) -> bool:
        return _is_tenant_admin(request)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"{self.site_header}: {tenant.name}"
        return context


tenant_admin_site = TenantAdminSite(name="tenant_admin")


class TenantModelAdmin(admin.ModelAdmin):
    """Base for models in the tenant admin: scoped, tenant set on create."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_tenant_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_tenant_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_tenant_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_tenant_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_tenant_admin(request)

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            obj.tenant = request.tenant
        super().save_model(request, obj, form, change)

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        # Another tenant's object must look exactly like a missing one.
        raise Http404


class MembershipForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("e-mailadres"),
        help_text=_(
            "Bestaat er nog geen account met dit adres, dan wordt het aangemaakt; "
            "de gebruiker kiest een wachtwoord via 'Wachtwoord vergeten'."
        ),
    )
    full_name = forms.CharField(label=_("naam"), max_length=200, required=False)

    class Meta:
        model = Membership
        # Relations to tenant-owned models are added by the admin at request
        # time, inside the tenant scope (a class-level queryset would raise).
        fields = ["role", "taakdelegatie", "privacy_officer", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A koppeling's membership is made and ended with its API key.
        self.fields["role"].choices = [
            choice
            for choice in self.fields["role"].choices
            if choice[0] != Role.KOPPELING
        ]
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True
            self.fields["full_name"].initial = self.instance.user.full_name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if (
            not self.instance.pk
            and Membership.objects.filter(user__email__iexact=email).exists()
        ):
            raise forms.ValidationError(
                _("Deze gebruiker heeft al een lidmaatschap in uw organisatie.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role = cleaned.get("role")
        employers = cleaned.get("employers")
        if role == Role.HR and (employers is None or len(employers) != 1):
            self.add_error(
                "employers", _("Een HR-adviseur hoort bij precies één werkgever.")
            )
        elif role not in EMPLOYER_SCOPED_ROLES and employers:
            self.add_error(
                "employers",
                _(
                    "Alleen HR, regiehouder en casemanager worden aan "
                    "werkgevers gekoppeld."
                ),
            )
        return cleaned

    def save(self, commit: bool = True) -> Membership:
        membership = super().save(commit=False)
        if not membership.pk:
            user = User.objects.filter(email__iexact=self.cleaned_data["email"]).first()
            if user is None:
                user = User.objects.create_user(
                    self.cleaned_data["email"],
                    full_name=self.cleaned_data["full_name"],
                )
            membership.user = user
        elif self.cleaned_data["full_name"] and not _user_in_other_tenants(
            membership.user, membership.tenant_id
        ):
            membership.user.full_name = self.cleaned_data["full_name"]
            membership.user.save(update_fields=["full_name"])
        if commit:
            membership.save()
            self.save_m2m()
        return membership


def _user_in_other_tenants(user: User, tenant_id: int) -> bool:
    with all_tenants("a shared account is edited only by the platform"):
        return (
            Membership.objects.filter(user=user).exclude(tenant_id=tenant_id).exists()
        )


@admin.register(Membership, site=tenant_admin_site)
class MembershipAdmin(TenantModelAdmin):
    form = MembershipForm
    fields = [
        "email",
        "full_name",
        "role",
        "employers",
        "taakdelegatie",
        "privacy_officer",
        "is_active",
    ]
    list_display = [
        "user",
        "role",
        "taakdelegatie",
        "privacy_officer",
        "is_active",
        "two_factor",
    ]
    list_filter = ["role", "is_active", "taakdelegatie", "privacy_officer"]
    search_fields = ["user__email", "user__full_name"]
    filter_horizontal = ["employers"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Membership]:
        # API keys (role koppeling) are managed on their own admin page.
        return _with_two_factor(
            super()
            .get_queryset(request)
            .exclude(role=Role.KOPPELING)
            .select_related("user"),
            "user",
        )

    @admin.display(boolean=True, description=_("2FA"))
    def two_factor(self, obj: Membership) -> bool:
        return obj.has_two_factor

    @admin.action(description=_("Tweestapsverificatie opnieuw laten instellen"))
    def reset_two_factor(
        self, request: HttpRequest, queryset: models.QuerySet[Membership]
    ) -> None:
        """For a member who lost their phone and recovery codes: the next
        login sets up a new authenticator. An account shared with another
        organisation is left to the platform administrator."""
        done, shared = 0, []
        for membership in queryset.select_related("user"):
            if _user_in_other_tenants(membership.user, request.tenant.pk):
                shared.append(membership.user.email)
                continue
            two_factor_reset(actor=request.user, user=membership.user)
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Bij %(count)d gebruiker moet tweestapsverificatie opnieuw "
                    "worden ingesteld bij de volgende keer inloggen.",
                    "Bij %(count)d gebruikers moet tweestapsverificatie opnieuw "
                    "worden ingesteld bij de volgende keer inloggen.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        if shared:
            self.message_user(
                request,
                gettext(
                    "Niet gedaan voor %(emails)s: dit account hoort ook bij een "
                    "andere organisatie. Vraag het platformbeheer."
                )
                % {"emails": ", ".join(shared)},
                messages.WARNING,
            )


class TenantSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["require_2fa_for_managers"]


@admin.register(Tenant, site=tenant_admin_site)
class TenantSettingsAdmin(admin.ModelAdmin):
    """The tenant administrator's own organisation: its login policy."""

    form = TenantSettingsForm
    fields = ["name", "slug", "require_2fa_for_managers"]
    readonly_fields = ["name", "slug"]
    list_display = ["name", "require_2fa_for_managers"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Tenant]:
        return Tenant.objects.filter(pk=request.tenant.pk)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_tenant_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_tenant_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_tenant_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Tenant, form: forms.ModelForm, change: bool
    ) -> None:
        tenant_two_factor_policy_set(
            actor=request.user,
            tenant=Tenant.objects.get(pk=obj.pk),
            require_for_managers=form.cleaned_data["require_2fa_for_managers"],
        )

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        raise Http404


@admin.register(User, site=tenant_admin_site)
class TenantUserAdmin(TenantModelAdmin):
    """Accounts of the tenant's members; created through a membership."""

    list_display = ["email", "full_name", "preferred_language", "is_active"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "preferred_language", "is_active", "last_login"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[User]:
        return (
            User.objects.filter(memberships__tenant=request.tenant)
            .exclude(memberships__role=Role.KOPPELING)
            .distinct()
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An account shared with another tenant belongs to nobody's tenant
        # admin: only its own tenant-local facts (the membership) are theirs.
        if obj is not None and _user_in_other_tenants(obj, request.tenant.pk):
            return list(self.fields)
        return ["email", "is_active", "last_login"]


class PlatformAdminSite(admin.AdminSite):
    """The operator's site; every view runs with tenant scoping disabled."""

    site_header = _("Hervat — platformbeheer")
    site_title = _("Hervat platform")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        inner = super().admin_view(view, cacheable)

        def scoped_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            with all_tenants("platform admin manages every tenant"):
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return scoped_view


platform_admin_site = PlatformAdminSite(name="admin")


class PlatformMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "tenant"
    fields = ["user", "role", "is_active"]
    autocomplete_fields = ["user"]
    extra = 1


@admin.register(Tenant, site=platform_admin_site)
class TenantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "is_active",
        "require_2fa_for_managers",
        "created_at",
    ]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    inlines = [PlatformMembershipInline]

    def save_model(
        self, request: HttpRequest, obj: Tenant, form: forms.ModelForm, change: bool
    ) -> None:
        require = obj.require_2fa_for_managers
        if change:
            # The policy change goes through its service (audited).
            obj.require_2fa_for_managers = Tenant.objects.get(
                pk=obj.pk
            ).require_2fa_for_managers
        super().save_model(request, obj, form, change)
        tenant_two_factor_policy_set(
            actor=request.user, tenant=obj, require_for_managers=require
        )


@admin.register(User, site=platform_admin_site)
class PlatformUserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "two_factor"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[User]:
        return _with_two_factor(super().get_queryset(request), "pk")

    @admin.display(boolean=True, description=_("2FA"))
    def two_factor(self, obj: User) -> bool:
        return obj.has_two_factor

    @admin.action(description=_("Tweestapsverificatie opnieuw laten instellen"))
    def reset_two_factor(
        self, request: HttpRequest, queryset: models.QuerySet[User]
    ) -> None:
        for user in queryset:
            two_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            gettext(
                "Tweestapsverificatie wordt opnieuw ingesteld bij de volgende login."
            ),
            messages.SUCCESS,
        )

    search_fields = ["email", "full_name"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Persoonlijk"), {"fields": ("full_name", "preferred_language")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Datums"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )
