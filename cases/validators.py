"""Validation of Dutch identifiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def bsn_is_valid(value: str) -> bool:
    """True when ``value`` is nine digits that pass the BSN elfproef.

    The elfproef weights digits 9..2 and the last digit -1; the sum must be a
    multiple of 11 and not zero (which would accept 000000000).
    """
    if len(value) != 9 or not value.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(
        int(digit) * weight for digit, weight in zip(value, weights, strict=True)
    )
    return total != 0 and total % 11 == 0


def normalize_bsn(value: str) -> str:
    """Strip spaces, dots and dashes; pad an eight-digit BSN with a leading 0."""
    digits = "".join(ch for ch in value if ch not in " .-")
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    return digits


def validate_bsn(value: str) -> None:
    """Raise a ``ValidationError`` that says what is wrong with the BSN."""
    digits = normalize_bsn(value)
    if not digits.isdigit():
        raise ValidationError(
            _("Een BSN bestaat alleen uit cijfers."), code="bsn_not_digits"
        )
    if len(digits) != 9:
        raise ValidationError(
            _("Een BSN heeft 9 cijfers; u gaf er %(count)d.") % {"count": len(digits)},
            code="bsn_length",
        )
    if not bsn_is_valid(digits):
        raise ValidationError(
            _("Dit BSN klopt niet (elfproef). Controleer het nummer."),
            code="bsn_elfproef",
        )


def mask_bsn(value: str) -> str:
    """Show only the last three digits, as on UWV forms: ``******123``."""
    if not value:
        return ""
    return "*" * (len(value) - 3) + value[-3:]
