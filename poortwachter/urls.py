from django.urls import path

from poortwachter import views

app_name = "poortwachter"

urlpatterns = [
    path("taken/", views.task_queue_page, name="queue"),
    path("overzicht/", views.employer_overview_page, name="overview"),
    path("mijn-dossiers/", views.physician_cases_page, name="physician_cases"),
    path("taken/<int:pk>/afronden/", views.task_complete_view, name="task_complete"),
    path("taken/<int:pk>/uitstellen/", views.task_snooze_view, name="task_snooze"),
    path("taken/<int:pk>/toewijzen/", views.task_reassign_view, name="task_reassign"),
    path("dossiers/<int:pk>/termijnen/", views.case_timeline, name="case_timeline"),
    path(
        "dossiers/<int:pk>/probleemanalyse/",
        views.probleemanalyse_add,
        name="probleemanalyse_add",
    ),
    path("dossiers/<int:pk>/fml/", views.fml_add, name="fml_add"),
    path("dossiers/<int:pk>/consult/", views.consult_add, name="consult_add"),
    path(
        "dossiers/<int:pk>/afspraken/nieuw/",
        views.appointment_form,
        name="appointment_add",
    ),
    path(
        "dossiers/<int:pk>/afspraken/<int:appointment_pk>/",
        views.appointment_form,
        name="appointment_edit",
    ),
    path(
        "dossiers/<int:pk>/afspraken/<int:appointment_pk>/annuleren/",
        views.appointment_cancel_view,
        name="appointment_cancel",
    ),
    path("consulten/<int:pk>/medisch/", views.consult_medical, name="consult_medical"),
    path(
        "probleemanalyses/<int:pk>/medisch/",
        views.probleemanalyse_medical,
        name="probleemanalyse_medical",
    ),
]
