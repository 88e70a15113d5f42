"""The user's own login security: ``/accounts/2fa/…`` and the security page.

Everything under ``/accounts/2fa/`` is open to a user who has not yet entered
their second factor (``accounts.security.TwoFactorMiddleware``).
"""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/instellen/", views.two_factor_enrol, name="two_factor_enrol"),
    path("2fa/controleren/", views.two_factor_verify, name="two_factor_verify"),
    path("beveiliging/", views.security, name="security"),
]
