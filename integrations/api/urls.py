"""REST API v1: ``/api/v1/``. The schema and its docs need no credentials."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations.api.views import cases, documents, employees, employers, tasks
from integrations.api.views.base import api_not_found

app_name = "api"

# Swagger UI loads its set-up script as a file (the split view: no inline
# script), but styles its widgets inline and draws icons from data: URLs. That
# wider policy is for this page only; every other page keeps the strict one.
docs_view = csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_view, name="docs"),
    path("employers/", employers.EmployerListApi.as_view(), name="employer-list"),
    path(
        "employers/<int:pk>/",
        employers.EmployerDetailApi.as_view(),
        name="employer-detail",
    ),
    path(
        "employers/<int:employer_id>/employees/<str:personnel_number>/",
        employees.EmployeeUpsertApi.as_view(),
        name="employee-upsert",
    ),
    path("employees/", employees.EmployeeListApi.as_view(), name="employee-list"),
    path(
        "employees/<int:pk>/",
        employees.EmployeeDetailApi.as_view(),
        name="employee-detail",
    ),
    path("cases/", cases.CaseListApi.as_view(), name="case-list"),
    path("cases/<int:pk>/", cases.CaseDetailApi.as_view(), name="case-detail"),
    path(
        "cases/<int:pk>/hersteldmeldingen/",
        cases.HersteldmeldingCreateApi.as_view(),
        name="hersteldmelding-create",
    ),
    path(
        "cases/<int:pk>/timeline/",
        cases.CaseTimelineApi.as_view(),
        name="case-timeline",
    ),
    path(
        "ziekmeldingen/",
        cases.ZiekmeldingCreateApi.as_view(),
        name="ziekmelding-create",
    ),
    path("tasks/", tasks.TaskListApi.as_view(), name="task-list"),
    path(
        "tasks/<int:pk>/complete/",
        tasks.TaskCompleteApi.as_view(),
        name="task-complete",
    ),
    path("documents/", documents.DocumentListApi.as_view(), name="document-list"),
    path(
        "documents/<int:pk>/pdf/",
        documents.DocumentDownloadApi.as_view(),
        name="document-download",
    ),
    # Anything else under /api/v1/ is a problem+json 404, not an HTML page.
    re_path(r"", api_not_found),
]
