"""Forms of the accounts app: the code forms of two-factor authentication."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TotpConfirmForm(forms.Form):
    """The six-digit code from the app that was just set up."""

    code = forms.CharField(
        label=_("Code uit de app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code uit de app of herstelcode"),
        max_length=32,
        help_text=_(
            "Zes cijfers uit uw authenticator-app, of een van uw herstelcodes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True}
        ),
    )
