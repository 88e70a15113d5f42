"""The UWV Functionele Mogelijkhedenlijst (FML) as data.

The catalogue (six rubrieken, their items and limitation levels, in Dutch and
English) lives in ``data/fml.json``; this module reads it, checks what a
bedrijfsarts entered against it, and turns stored entries into the readable
list of limitations the employer sees.

Stored entries hold deviations only: ``{"IV.13": {"levels": [2], "note": "…"}}``.
An item that is not in the entries is at the norm ("no limitation").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

CATALOGUE_PATH = Path(__file__).parent / "data" / "fml.json"
NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class FmlLevel:
    code: int
    nl: str
    en: str
    needs_note: bool

    @property
    def label(self) -> str:
        return self.en if get_language() == "en" else self.nl


@dataclass(frozen=True)
class FmlItem:
    code: str
    nl: str
    en: str
    multiple: bool
    levels: tuple[FmlLevel, ...]

    @property
    def label(self) -> str:
        return self.en if get_language() == "en" else self.nl

    def level(self, code: int) -> FmlLevel:
        return next(level for level in self.levels if level.code == code)

    @property
    def level_codes(self) -> frozenset[int]:
        return frozenset(level.code for level in self.levels)


@dataclass(frozen=True)
class FmlRubriek:
    code: str
    nl: str
    en: str
    items: tuple[FmlItem, ...]

    @property
    def label(self) -> str:
        return self.en if get_language() == "en" else self.nl


@dataclass(frozen=True)
class Catalogue:
    version: str
    rubrieken: tuple[FmlRubriek, ...]

    @property
    def items(self) -> dict[str, FmlItem]:
        return {item.code: item for r in self.rubrieken for item in r.items}


@cache
def catalogue() -> Catalogue:
    """The FML catalogue, read once per process."""
    raw = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    rubrieken = tuple(
        FmlRubriek(
            code=r["code"],
            nl=r["nl"],
            en=r["en"],
            items=tuple(
                FmlItem(
                    code=i["code"],
                    nl=i["nl"],
                    en=i["en"],
                    multiple=bool(i.get("multiple", False)),
                    levels=tuple(
                        FmlLevel(
                            code=lv[0],
                            nl=lv[1],
                            en=lv[2],
                            needs_note=len(lv) > 3 and bool(lv[3]),
                        )
                        for lv in i["levels"]
                    ),
                )
                for i in r["items"]
            ),
        )
        for r in raw["rubrieken"]
    )
    return Catalogue(version=raw["version"], rubrieken=rubrieken)


def fml_entries_clean(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check entered deviations against the catalogue and normalise them.

    ``raw`` maps item codes to ``{"levels": [...], "note": str}``. Items at
    the norm (level 0 or nothing chosen) are dropped; an unknown item or
    level, the norm combined with a limitation, more than one level on a
    single-choice item, or a level that needs a toelichting without one is an
    ``ApplicationError`` naming the item.
    """
    items = catalogue().items
    cleaned: dict[str, dict[str, Any]] = {}
    for code, entry in raw.items():
        item = items.get(code)
        if item is None:
            raise ApplicationError(
                _("Onbekend onderdeel van de FML: %(code)s.") % {"code": code}
            )
        try:
            levels = sorted({int(level) for level in entry.get("levels", [])})
        except (TypeError, ValueError):
            levels = [-1]
        note = str(entry.get("note", "")).strip()
        if any(level not in item.level_codes for level in levels):
            raise ApplicationError(
                _("%(item)s: kies een van de genoemde mate van beperking.")
                % {"item": _item_name(item)},
                field=code,
            )
        if len(note) > NOTE_MAX_LENGTH:
            raise ApplicationError(
                _("%(item)s: de toelichting is langer dan %(max)d tekens.")
                % {"item": _item_name(item), "max": NOTE_MAX_LENGTH},
                field=code,
            )
        deviations = [level for level in levels if level != 0]
        if not deviations:
            if note:
                raise ApplicationError(
                    _(
                        "%(item)s: een toelichting hoort bij een beperking; "
                        "kies eerst de mate van beperking."
                    )
                    % {"item": _item_name(item)},
                    field=code,
                )
            continue
        if len(deviations) != len(levels):
            raise ApplicationError(
                _("%(item)s: 'normaal' gaat niet samen met een beperking.")
                % {"item": _item_name(item)},
                field=code,
            )
        if len(deviations) > 1 and not item.multiple:
            raise ApplicationError(
                _("%(item)s: kies één mate van beperking.")
                % {"item": _item_name(item)},
                field=code,
            )
        if not note and any(item.level(level).needs_note for level in deviations):
            raise ApplicationError(
                _("%(item)s: licht deze beperking toe (namelijk …).")
                % {"item": _item_name(item)},
                field=code,
            )
        cleaned[code] = {"levels": deviations, "note": note}
    return cleaned


def _item_name(item: FmlItem) -> str:
    return f"{item.code} {item.label}"


@dataclass(frozen=True)
class LimitationLine:
    """One deviating item, ready to read."""

    code: str
    item: str
    levels: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class RubriekSummary:
    code: str
    label: str
    limitations: tuple[LimitationLine, ...]


def fml_summary(entries: dict[str, dict[str, Any]]) -> list[RubriekSummary]:
    """The six rubrieken with their deviating items, in catalogue order, in
    the active language: what the employer reads. Codes the catalogue no
    longer knows are kept under their code rather than silently dropped."""
    known = catalogue().items
    summaries = []
    for rubriek in catalogue().rubrieken:
        lines = []
        for item in rubriek.items:
            entry = entries.get(item.code)
            if not entry:
                continue
            labels = tuple(
                item.level(code).label if code in item.level_codes else str(code)
                for code in entry.get("levels", [])
            )
            lines.append(
                LimitationLine(
                    code=item.code,
                    item=item.label,
                    levels=labels,
                    note=entry.get("note", ""),
                )
            )
        summaries.append(
            RubriekSummary(
                code=rubriek.code, label=rubriek.label, limitations=tuple(lines)
            )
        )
    unknown = [code for code in entries if code not in known]
    if unknown:
        summaries.append(
            RubriekSummary(
                code="?",
                label=_("Overige onderdelen"),
                limitations=tuple(
                    LimitationLine(
                        code=code,
                        item=code,
                        levels=tuple(str(v) for v in entries[code].get("levels", [])),
                        note=entries[code].get("note", ""),
                    )
                    for code in unknown
                ),
            )
        )
    return summaries
