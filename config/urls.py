from django.urls import include, path

from accounts import views as account_views
from accounts.admin import platform_admin_site, tenant_admin_site

# Static error pages: they render without the database (core/views.py).
handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("vragenlijst/", include("triage.urls_public")),
    path("api/v1/", include("integrations.api.urls")),
    path("admin/", platform_admin_site.urls),
    path("beheer/", tenant_admin_site.urls),
    path(
        "t/<slug:tenant_slug>/beheer/",
        account_views.tenant_admin_enter,
        name="tenant_admin_enter",
    ),
    path("t/<slug:tenant_slug>/", include("cases.urls")),
    path("t/<slug:tenant_slug>/", include("poortwachter.urls")),
    path("t/<slug:tenant_slug>/", include("documents.urls")),
    path("t/<slug:tenant_slug>/", include("triage.urls")),
    path("t/<slug:tenant_slug>/", include("integrations.uwv.urls")),
    path("t/<slug:tenant_slug>/", include("analytics.urls")),
]
