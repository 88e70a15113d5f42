"""Spotting medical words in text a manager writes (contact notes).

The list lives in ``cases/data/medical_terms.txt`` so it can be maintained
without touching code. This is a warning aid, not a filter: the manager sees
which words triggered it and why, and may rephrase.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TERMS_FILE = Path(__file__).resolve().parent / "data" / "medical_terms.txt"


@cache
def _pattern() -> re.Pattern[str]:
    alternatives = []
    for line in TERMS_FILE.read_text(encoding="utf-8").splitlines():
        term = line.strip().lower()
        if not term or term.startswith("#"):
            continue
        if term.endswith("*"):
            alternatives.append(re.escape(term[:-1]) + r"\w*")
        else:
            alternatives.append(re.escape(term))
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def medical_terms_in(text: str) -> list[str]:
    """The distinct medical words found in ``text``, in order of appearance."""
    found: list[str] = []
    for match in _pattern().finditer(text or ""):
        word = match.group(0).lower()
        if word not in found:
            found.append(word)
    return found
