from django.urls import path

from integrations.uwv import views

app_name = "uwv"

urlpatterns = [
    path("dossiers/<int:pk>/uwv/", views.uwv_export, name="export"),
    path(
        "dossiers/<int:pk>/uwv/ziekmelding-42e-week.<slug:file_format>",
        views.melding_42_download,
        name="melding_42_download",
    ),
    path(
        "dossiers/<int:pk>/uwv/re-integratieverslag.zip",
        views.riv_package_download,
        name="riv_package_download",
    ),
]
