from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("taken/signalen/", views.signals_queue_page, name="signals"),
]
