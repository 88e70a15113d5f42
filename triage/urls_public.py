"""The employee's questionnaire pages by signed link (no account, no tenant
in the address: the token names it)."""

from django.urls import path

from triage import public

app_name = "triage_public"

urlpatterns = [
    path("klaar/", public.done, name="done"),
    path("<str:token>/", public.start, name="start"),
    path("<str:token>/<slug:section_key>/", public.section, name="section"),
]
