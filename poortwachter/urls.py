from django.urls import path

from poortwachter import views

app_name = "poortwachter"

urlpatterns = [
    path("taken/", views.my_tasks, name="my_tasks"),
    path("dossiers/<int:pk>/termijnen/", views.case_timeline, name="case_timeline"),
]
