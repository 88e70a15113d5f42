from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path(
        "dossiers/<int:pk>/vragenlijsten/",
        views.invitation_send,
        name="invitation_send",
    ),
    path("vragenlijsten/", views.unanswered, name="unanswered"),
    path("vragenlijsten/<int:pk>/", views.invitation_answers, name="answers"),
    path(
        "vragenlijsten/<int:pk>/medisch/",
        views.invitation_medical,
        name="answers_medical",
    ),
    path(
        "vragenlijsten/<int:pk>/opnieuw/",
        views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "vragenlijsten/<int:pk>/intrekken/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("taken/signalen/", views.signals_queue_page, name="signals"),
    path(
        "routevoorstellen/<int:pk>/besluit/",
        views.routing_decide_view,
        name="routing_decide",
    ),
]
