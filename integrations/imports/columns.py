"""The fields an import fills, and how file headers are matched to them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Target:
    """A field an import can fill, with the headers that usually hold it."""

    key: str
    label: str | Promise
    required: bool
    aliases: tuple[str, ...]


TARGETS: tuple[Target, ...] = (
    Target(
        "personnel_number",
        _("Personeelsnummer"),
        True,
        (
            "personeelsnummer",
            "personeelsnr",
            "persnr",
            "medewerkernummer",
            "medewerker",
            "werknemernummer",
            "employee number",
            "employee id",
        ),
    ),
    Target("bsn", _("BSN"), False, ("bsn", "burgerservicenummer", "sofinummer")),
    Target("initials", _("Voorletters"), False, ("voorletters", "initialen")),
    Target("first_name", _("Roepnaam"), False, ("roepnaam", "voornaam", "first name")),
    Target(
        "surname_prefix",
        _("Tussenvoegsel"),
        False,
        ("tussenvoegsel", "voorvoegsel", "tussenvoegsels"),
    ),
    Target("surname", _("Achternaam"), True, ("achternaam", "surname", "last name")),
    Target("birth_name", _("Geboortenaam"), False, ("geboortenaam", "meisjesnaam")),
    Target(
        "date_of_birth",
        _("Geboortedatum"),
        False,
        ("geboortedatum", "date of birth", "birth date"),
    ),
    Target(
        "email",
        _("E-mailadres"),
        False,
        ("e-mail", "e-mailadres", "e-mail werk", "e-mailadres werk", "email"),
    ),
    Target(
        "phone",
        _("Telefoon"),
        False,
        ("telefoon", "telefoonnummer", "mobiel", "mobiel nummer", "phone"),
    ),
    Target("preferred_language", _("Voorkeurstaal"), False, ("voorkeurstaal", "taal")),
    Target("job_title", _("Functie"), False, ("functie", "functienaam", "job title")),
    Target(
        "department",
        _("Afdeling"),
        False,
        ("afdeling", "afdelingsnaam", "department", "organisatorische eenheid"),
    ),
    Target(
        "contract_hours",
        _("Contracturen per week"),
        False,
        ("contracturen per week", "contracturen", "uren per week", "uren"),
    ),
    Target(
        "manager_email",
        _("E-mailadres leidinggevende"),
        False,
        (
            "e-mail leidinggevende",
            "e-mailadres leidinggevende",
            "manager e-mail",
        ),
    ),
    Target(
        "employment_start",
        _("In dienst sinds"),
        True,
        ("in dienst sinds", "datum in dienst", "in dienst", "begindatum", "startdatum"),
    ),
    Target(
        "employment_end",
        _("Uit dienst per"),
        False,
        ("uit dienst per", "datum uit dienst", "uit dienst", "einddatum"),
    ),
)
TARGETS_BY_KEY: dict[str, Target] = {target.key: target for target in TARGETS}
REQUIRED_KEYS: tuple[str, ...] = tuple(t.key for t in TARGETS if t.required)


def header_normalize(header: str) -> str:
    """Lower case without spaces, dashes, underscores, dots or colons, so
    'E-mail', 'email' and 'E_MAIL:' compare equal."""
    return re.sub(r"[\s\-_.:]+", "", header.lower())


def columns_guess(
    *, headers: Sequence[str], saved: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Propose a header for each field: the saved mapping of the employer
    where its header is in this file, otherwise the first header that matches
    one of the field's usual names. A header is proposed once at most."""
    by_normal = {header_normalize(h): h for h in headers if h}
    present = set(headers)
    guess: dict[str, str] = {}
    used: set[str] = set()
    for key, header in (saved or {}).items():
        if key in TARGETS_BY_KEY and header in present and header not in used:
            guess[key] = header
            used.add(header)
    for target in TARGETS:
        if target.key in guess:
            continue
        for name in (str(target.label), *target.aliases):
            header = by_normal.get(header_normalize(name))
            if header is not None and header not in used:
                guess[target.key] = header
                used.add(header)
                break
    return guess
