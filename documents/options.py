"""The fixed choices of the UWV forms (seed 003, appendices 2 and 3).

Labels are the forms' own Dutch wording; PDFs always render in Dutch, the
portal shows them translated.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Options = tuple[tuple[str, Promise], ...]

# Plan van aanpak 6.1 and evaluatie 6.1: "U kunt meerdere vakjes aankruisen."
EINDDOELEN: Options = (
    ("eigen_functie", _("Werkhervatting in de eigen functie")),
    (
        "eigen_functie_gedeeltelijk",
        _("Gedeeltelijke werkhervatting in de eigen functie"),
    ),
    (
        "eigen_functie_aanpassingen",
        _("Werkhervatting in eigen functie met aanpassingen"),
    ),
    (
        "andere_functie",
        _("Werkhervatting in een andere functie bij de eigen werkgever"),
    ),
    (
        "andere_functie_gedeeltelijk",
        _("Gedeeltelijke werkhervatting in een andere functie bij de eigen werkgever"),
    ),
    (
        "andere_werkgever",
        _("Gehele of gedeeltelijke werkhervatting bij een andere werkgever"),
    ),
)

# Plan van aanpak 7.1: agreements are grouped by problem area.
PROBLEEMVELDEN: Options = (
    ("arbeidsinhoud", _("Arbeidsinhoud")),
    ("arbeidsomstandigheden", _("Arbeidsomstandigheden")),
    ("arbeidsvoorwaarden", _("Arbeidsvoorwaarden")),
    ("arbeidsverhoudingen", _("Arbeidsverhoudingen")),
    ("sociaal_medische_zaken", _("Sociaal medische zaken")),
    ("overige", _("Overige activiteiten")),
)

# (Eerstejaars)evaluatie 3.1 "Wat is de aanleiding van de evaluatie?"
AANLEIDINGEN: Options = (
    ("periodiek", _("Periodieke evaluatie")),
    ("eerstejaarsevaluatie", _("Eerstejaarsevaluatie (is verplicht na 1 jaar ziekte)")),
    ("deskundigenoordeel", _("Deskundigenoordeel")),
    ("arbeidsdeskundig_advies", _("Arbeidsdeskundig advies")),
    ("wijziging_organisatie", _("Wijziging organisatie")),
    ("nieuw_advies_bedrijfsarts", _("Nieuw advies van de bedrijfsarts")),
    ("eindevaluatie", _("Eindevaluatie (vóór de WIA-aanvraag)")),
    ("anders", _("Anders")),
)

JA_NEE: Options = (("ja", _("Ja")), ("nee", _("Nee")))


def label(options: Options, code: str) -> str:
    """The label of ``code`` in ``options`` (the code itself when unknown)."""
    return str(dict(options).get(code, code))
