"""The engine's refusal codes as messages in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from triage.engine import Problem


def problem_message(problem: Problem) -> str:
    """A clear message for one refused answer, in the active language."""
    params = dict(problem.params)
    if problem.code == "range":
        if params.get("min") is not None and params.get("max") is not None:
            return _("Kies een getal van %(min)s tot en met %(max)s.") % {
                "min": f"{params['min']:g}",
                "max": f"{params['max']:g}",
            }
        return _("Dit getal valt buiten het bereik.")
    if problem.code == "length":
        return _("Gebruik hoogstens %(max)d tekens.") % {"max": params["max"]}
    messages = {
        "required": _("Beantwoord deze vraag."),
        "choice": _("Kies een van de antwoorden."),
        "choices": _("Kies uit de genoemde antwoorden."),
        "number": _("Vul een getal in."),
        "whole": _("Kies een heel getal."),
        "date": _("Vul een datum in."),
    }
    return messages.get(problem.code, _("Dit antwoord is niet geldig."))
