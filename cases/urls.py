from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("werkgevers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("werknemers/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("dossiers/<int:pk>/", views.case_detail, name="case_detail"),
    path("ziekmelden/", views.ziekmelding, name="ziekmelding"),
    path("dossiers/<int:pk>/toewijzen/", views.case_assign_view, name="case_assign"),
    path(
        "dossiers/<int:pk>/hersteldmelden/",
        views.hersteldmelding,
        name="hersteldmelding",
    ),
    path(
        "dossiers/<int:pk>/contactmoment/",
        views.contact_note_add,
        name="contact_note_add",
    ),
    path(
        "dossiers/<int:pk>/interventies/nieuw/",
        views.intervention_form,
        name="intervention_add",
    ),
    path(
        "dossiers/<int:pk>/interventies/<int:intervention_pk>/",
        views.intervention_form,
        name="intervention_edit",
    ),
]
