from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("statistieken/", views.statistics_index, name="index"),
    path(
        "statistieken/werkgevers/<int:pk>/",
        views.statistics_dashboard,
        name="dashboard",
    ),
    path(
        "statistieken/werkgevers/<int:pk>/export/",
        views.statistics_export,
        name="export",
    ),
    path(
        "statistieken/werkgevers/<int:pk>/rapport/",
        views.statistics_report,
        name="report",
    ),
]
