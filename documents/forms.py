"""Forms that follow the UWV forms section by section.

A form's field names are the keys of ``Document.data``; ``to_data()`` turns
cleaned values into plain JSON (dates as ISO strings).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.options import AANLEIDINGEN, EINDDOELEN, JA_NEE, PROBLEEMVELDEN

TEXT_MAX = 5000
AFSPRAKEN_MAX = 60


def _text(
    label: Any, *, rows: int = 4, required: bool = False, **kw: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


def _line(
    label: Any, *, required: bool = False, max_length: int = 200, **kw: Any
) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, **kw)


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _hours(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=80,
        decimal_places=1,
        error_messages={
            "max_value": _("Vul hoogstens 80 uur per week in."),
            "min_value": _("Het aantal uren kan niet negatief zijn."),
            "invalid": _("Vul een aantal uren in, bijvoorbeeld 16 of 20,5."),
        },
    )


def _einddoelen() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("6.1 Wat is het einddoel van de re-integratie?"),
        choices=EINDDOELEN,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Baseer het einddoel op het advies van de bedrijfsarts. U kunt "
            "meerdere vakjes aankruisen."
        ),
    )


def _einddoel_anders() -> forms.CharField:
    return _text(
        _("Ander einddoel dan het advies van de arbodienst of bedrijfsarts, namelijk"),
        rows=2,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if hasattr(value, "as_tuple"):  # Decimal
        return f"{value:f}".rstrip("0").rstrip(".").replace(".", ",")
    return value


class DocumentForm(forms.Form):
    """Base: the fields map one to one onto ``Document.data``."""

    def __init__(
        self, *args: Any, document_data: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if document_data is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(document_data)
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        initial = {}
        for name, field in cls.base_fields.items():
            value = data.get(name)
            if isinstance(field, forms.DecimalField) and isinstance(value, str):
                value = value.replace(",", ".")
            initial[name] = value
        return initial

    def to_data(self) -> dict[str, Any]:
        return {name: _plain(value) for name, value in self.cleaned_data.items()}


REQUIRED_NAME = {"required": _("Vul de voorletters en achternaam van de werknemer in.")}
REQUIRED_EMPLOYER = {"required": _("Vul de naam van de werkgever in.")}


class WerknemerWerkgeverMixin(forms.Form):
    werknemer_naam = _line(
        _("1.1 Voorletters en achternaam"),
        required=True,
        error_messages=REQUIRED_NAME,
    )
    werknemer_geboortenaam = _line(
        _("Geboortenaam"),
        help_text=_(
            "Gebruikt de werknemer de achternaam van de partner? Vul dan ook "
            "de geboortenaam in."
        ),
    )
    werkgever_naam = _line(
        _("2.1 Bedrijfsnaam"), required=True, error_messages=REQUIRED_EMPLOYER
    )


class PlanVanAanpakForm(WerknemerWerkgeverMixin, DocumentForm):
    werkgever_contactpersoon = _line(_("2.2 Naam contactpersoon"))
    bedrijfsarts_naam = _line(
        _("3.1 Naam bedrijfsarts"),
        help_text=_("De bedrijfsarts die de probleemanalyse heeft opgesteld."),
    )
    arbodienst_naam = _line(_("Arbodienst"))
    functie_naam = _line(_("4.1 Functie"))
    functie_omschrijving = _text(
        _("4.2 Omschrijving van de werkzaamheden"),
        help_text=_(
            "Het laatste werk dat de werknemer deed vóór de ziekmelding: aard "
            "van de werkzaamheden."
        ),
    )
    functie_uren = _hours(_("Aantal uren per week"))
    visie_werknemer = _text(
        _("5.1 Visie van de werknemer"),
        help_text=_(
            "Over de functie, de arbeidsmogelijkheden en de kwaliteit van de "
            "arbeidsverhouding, in eigen woorden."
        ),
    )
    visie_werkgever = _text(
        _("5.2 Visie van de werkgever"),
        help_text=_("Over de werknemer, de functie en de arbeidsmogelijkheden."),
    )
    einddoelen = _einddoelen()
    einddoel_anders = _einddoel_anders()
    contact_naam = _line(_("Contactpersoon voor de re-integratie"))
    contact_telefoon = _line(_("Telefoonnummer contactpersoon"), max_length=30)
    contact_email = forms.EmailField(
        label=_("E-mailadres contactpersoon"),
        required=False,
        error_messages={"invalid": _("Vul een geldig e-mailadres in.")},
    )


SITUATIE_CHOICES = (
    ("eigen_werk", _("De werknemer doet zijn eigen werk")),
    ("eigen_werk_aangepast", _("De werknemer doet eigen werk met aanpassingen")),
    ("ander_werk", _("De werknemer doet ander werk")),
    ("andere_werkgever", _("De werknemer werkt bij een andere werkgever")),
    ("werkt_niet", _("De werknemer werkt nu niet, maar kan in de toekomst wel werken")),
)


class EvaluatieForm(WerknemerWerkgeverMixin, DocumentForm):
    aanleidingen = forms.MultipleChoiceField(
        label=_("3.1 Wat is de aanleiding van de evaluatie?"),
        choices=AANLEIDINGEN,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nieuw_advies_datum = _date(_("Datum nieuw advies van de bedrijfsarts"))
    aanleiding_anders = _line(_("Andere aanleiding"))
    activiteiten = _text(
        _(
            "4.1 Wat hebben u en uw werknemer gedaan om uw werknemer aan het "
            "werk te krijgen?"
        )
    )
    volgens_plan = forms.ChoiceField(
        label=_(
            "4.2 Zijn de afgesproken re-integratieactiviteiten volgens plan uitgevoerd?"
        ),
        choices=JA_NEE,
        required=False,
        widget=forms.RadioSelect,
    )
    toelichting_plan = _text(
        _("Toelichting bij 4.2"),
        help_text=_(
            "Bij nee: welke activiteiten niet zijn gedaan, waarom niet en wat u "
            "heeft gedaan om het op te lossen."
        ),
    )
    einddoel_bijstellen = forms.ChoiceField(
        label=_("4.3 Is er reden om het einddoel van de re-integratie bij te stellen?"),
        choices=JA_NEE,
        required=False,
        widget=forms.RadioSelect,
    )
    toelichting_einddoel = _text(_("Toelichting bij 4.3"), rows=3)
    sit_eigen_werk = forms.BooleanField(label=SITUATIE_CHOICES[0][1], required=False)
    eigen_werk_uren = _hours(_("Uren per week"))
    eigen_werk_sinds = _date(_("Sinds"))
    sit_eigen_werk_aangepast = forms.BooleanField(
        label=SITUATIE_CHOICES[1][1], required=False
    )
    eigen_werk_aangepast_uren = _hours(_("Uren per week"))
    eigen_werk_aangepast_sinds = _date(_("Sinds"))
    eigen_werk_aangepast_aanpassingen = _text(_("Welke aanpassingen"), rows=2)
    sit_ander_werk = forms.BooleanField(label=SITUATIE_CHOICES[2][1], required=False)
    ander_werk_uren = _hours(_("Uren per week"))
    ander_werk_sinds = _date(_("Sinds"))
    ander_werk_functie = _line(_("Functie"))
    sit_andere_werkgever = forms.BooleanField(
        label=SITUATIE_CHOICES[3][1], required=False
    )
    andere_werkgever_uren = _hours(_("Uren per week"))
    andere_werkgever_sinds = _date(_("Sinds"))
    andere_werkgever_werkgever = _line(_("Naam werkgever"))
    andere_werkgever_functie = _line(_("Functie"))
    sit_werkt_niet = forms.BooleanField(label=SITUATIE_CHOICES[4][1], required=False)
    werkt_niet_reden = _text(_("Waarom werkt de werknemer nog niet?"), rows=2)
    einddoelen = _einddoelen()
    einddoel_anders = _einddoel_anders()

    def situatie_fields(self) -> list[forms.BoundField]:
        """The fields of question 5.1, in the form's order."""
        return [
            self[name]
            for name in self.fields
            if name.startswith("sit_")
            or name.startswith(tuple(code for code, _label in SITUATIE_CHOICES))
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "nieuw_advies_bedrijfsarts" in cleaned.get(
            "aanleidingen", []
        ) and not cleaned.get("nieuw_advies_datum"):
            self.add_error(
                "nieuw_advies_datum",
                _("Vul de datum in van het nieuwe advies van de bedrijfsarts."),
            )
        if (
            "anders" in cleaned.get("aanleidingen", [])
            and not cleaned.get("aanleiding_anders", "").strip()
        ):
            self.add_error("aanleiding_anders", _("Beschrijf de andere aanleiding."))
        for code, _label in SITUATIE_CHOICES:
            if code == "werkt_niet":
                continue
            uren = cleaned.get(f"{code}_uren")
            if cleaned.get(f"sit_{code}") and uren in (None, ""):
                self.add_error(
                    f"{code}_uren",
                    _("Vul in hoeveel uur per week de werknemer zo werkt."),
                )
        if (
            cleaned.get("volgens_plan") == "nee"
            and not cleaned.get("toelichting_plan", "").strip()
        ):
            self.add_error(
                "toelichting_plan",
                _("Geef aan welke activiteiten niet zijn gedaan en waarom."),
            )
        return cleaned


class Uwv42WeekForm(DocumentForm):
    werknemer_naam = _line(
        _("1.1 Voorletters en achternaam"),
        required=True,
        error_messages=REQUIRED_NAME,
    )
    werknemer_geboortedatum = _date(_("1.3 Geboortedatum"))
    personeelsnummer = _line(_("1.4 Personeelsnummer"), max_length=40)
    werkgever_naam = _line(
        _("2.1 Bedrijfsnaam"), required=True, error_messages=REQUIRED_EMPLOYER
    )
    loonheffingennummer = _line(_("2.2 Loonheffingennummer"), max_length=12)
    contact_naam = _line(_("2.3 Naam contactpersoon"))
    contact_telefoon = _line(_("2.4 Telefoonnummer contactpersoon"), max_length=30)
    eerste_ziektedag = _date(_("3.1 Eerste arbeidsongeschiktheidsdag"))
    percentage_ongeschikt = forms.IntegerField(
        label=_("3.2 Percentage arbeidsongeschikt"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Het percentage ligt tussen 0 en 100."),
            "max_value": _("Het percentage ligt tussen 0 en 100."),
        },
    )
    uren_gewerkt = _hours(_("3.3 Gewerkte uren per week"))
    verhaal = forms.BooleanField(
        label=_("3.4 Ongeval of aansprakelijke derde (verhaal)"), required=False
    )
    functie_naam = _line(_("4.1 Functie"))
    functie_uren = _hours(_("4.2 Contracturen per week"))
    toelichting = _text(_("5.2 Toelichting"), rows=3)


class ProbleemanalyseForm(DocumentForm):
    """The employer part only: the bedrijfsarts' functional judgement, copied
    from the physician's record; nothing here may be medical."""

    werknemer_naam = _line(
        _("1.1 Voorletters en achternaam"),
        required=True,
        error_messages=REQUIRED_NAME,
    )
    functie_naam = _line(_("1.3 Functie"))
    werkgever_naam = _line(
        _("2.1 Bedrijfsnaam"), required=True, error_messages=REQUIRED_EMPLOYER
    )


class AfspraakForm(forms.Form):
    probleemveld = forms.ChoiceField(
        label=_("Probleemveld"),
        choices=PROBLEEMVELDEN,
        error_messages={"required": _("Kies het probleemveld van deze afspraak.")},
    )
    activiteit = _line(_("Activiteit"), max_length=500)
    wie = _line(_("Wie"))
    planning = _line(_("Planning"), max_length=100)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        filled = [cleaned.get(k, "").strip() for k in ("activiteit", "wie", "planning")]
        if any(filled) and not filled[0]:
            self.add_error("activiteit", _("Beschrijf de activiteit."))
        if filled[0] and not filled[1]:
            self.add_error("wie", _("Vul in wie deze activiteit uitvoert."))
        return cleaned


class BaseAfsprakenFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, str]]:
        """The filled-in rows, in the order entered; empty and deleted rows
        are left out."""
        result = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not str(data.get("activiteit", "")).strip():
                continue
            result.append(
                {
                    "probleemveld": data["probleemveld"],
                    "activiteit": data["activiteit"].strip(),
                    "wie": data.get("wie", "").strip(),
                    "planning": data.get("planning", "").strip(),
                }
            )
        return result


AfsprakenFormSet = forms.formset_factory(
    AfspraakForm,
    formset=BaseAfsprakenFormSet,
    extra=3,
    can_delete=True,
    max_num=AFSPRAKEN_MAX,
    validate_max=True,
)


class SignForm(forms.Form):
    name = _line(
        _("Uw naam"),
        required=True,
        error_messages={"required": _("Vul uw naam in.")},
    )
    confirm = forms.BooleanField(
        label=_("Ik heb het document gelezen en onderteken het."),
        error_messages={"required": _("Bevestig dat u het document ondertekent.")},
    )


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Ondertekende scan (PDF, PNG of JPEG, hoogstens 10 MB)"),
        error_messages={"required": _("Kies het bestand met de ondertekende scan.")},
    )
    signed_on = forms.DateField(
        label=_("Datum van ondertekening"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Vul de datum van ondertekening in."),
            "invalid": _("Vul een geldige datum in."),
        },
    )
    werkgever_name = _line(_("Naam ondertekenaar werkgever"))
    werknemer_name = _line(_("Naam ondertekenaar werknemer"))
