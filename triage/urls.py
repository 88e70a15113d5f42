from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path(
        "routevoorstellen/<int:pk>/besluit/",
        views.routing_decide_view,
        name="routing_decide",
    ),
]
