from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path(
        "dossiers/<int:pk>/documenten/",
        views.case_documents,
        name="case_documents",
    ),
    path(
        "dossiers/<int:pk>/documenten/nieuw/<slug:kind>/",
        views.document_create,
        name="document_create",
    ),
    path("documenten/<int:pk>/", views.document_detail, name="document_detail"),
    path("documenten/<int:pk>/bewerken/", views.document_edit, name="document_edit"),
    path(
        "documenten/<int:pk>/aanbieden/", views.document_submit, name="document_submit"
    ),
    path(
        "documenten/<int:pk>/nieuwe-versie/",
        views.document_new_version,
        name="document_new_version",
    ),
    path(
        "documenten/<int:pk>/ondertekenen/", views.document_sign, name="document_sign"
    ),
    path("documenten/<int:pk>/scan/", views.document_scan, name="document_scan"),
    path(
        "documenten/<int:pk>/scan/<int:signature_pk>/",
        views.signature_scan_download,
        name="signature_scan_download",
    ),
    path("documenten/<int:pk>/pdf/", views.document_download, name="document_download"),
    path(
        "dossiers/<int:pk>/reintegratieverslag/",
        views.reintegratieverslag,
        name="reintegratieverslag",
    ),
    path(
        "dossiers/<int:pk>/reintegratieverslag/pdf/",
        views.reintegratieverslag_download,
        name="reintegratieverslag_download",
    ),
]
