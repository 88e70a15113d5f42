from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("werkgevers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("werknemers/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("dossiers/<int:pk>/", views.case_detail, name="case_detail"),
]
