"""Before/after values for the audit trail, with sensitive values masked.

Every service that changes case data records which fields changed, with the
value before and after (``AuditEvent.data["changes"]``). What may hold
medical or otherwise sensitive content never enters the trail in clear:

* every field of a medical model (``MEDICAL_MODELS``: the bedrijfsarts'
  notes, the medical part of a probleemanalyse, medical answers) and every
  encrypted field: recorded as redacted with a keyed digest;
* free text (``TextField``, ``JSONField``) and the fields a model lists in
  ``AUDIT_REDACTED_FIELDS``: the same. A contact note's summary or a task's
  note may hold what an employee said about their illness, however much the
  form warns; the digest still shows *that* the text changed, and whether two
  versions are equal, without revealing it;
* a BSN: masked to its last three digits, as on UWV forms.

The digest is an HMAC keyed with ``SECRET_KEY``, truncated: a short medical
phrase cannot be recovered by hashing guesses without the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.crypto import salted_hmac

from core.fields import EncryptedTextField

# Medical models by label (app_label.ModelName, lower case). Every field of
# these is redacted; ``tests/test_architecture.py`` checks the list against
# the models themselves.
MEDICAL_MODELS = frozenset(
    {
        "poortwachter.consultmedical",
        "poortwachter.probleemanalysemedical",
        "triage.responsemedical",
    }
)

# Free text that is not a TextField but may still hold sensitive content.
AUDIT_REDACTED_FIELDS: dict[str, frozenset[str]] = {
    "poortwachter.task": frozenset({"snooze_reason"}),
    "cases.absencecase": frozenset({"reachable_phone"}),
}

BSN_FIELDS = frozenset({"bsn"})
REDACTED = "redacted"
_DIGEST_SALT = "hervat.audit.redacted"


def _digest(value: Any) -> str:
    return salted_hmac(_DIGEST_SALT, str(value)).hexdigest()[:16]


def redacted(value: Any) -> dict[str, Any] | str | None:
    """A value that must not be shown: whether it was empty, else a digest."""
    if value is None or value == "" or value == {} or value == []:
        return value
    return {REDACTED: True, "digest": _digest(value)}


def mask_bsn(value: str) -> str:
    """Only the last three digits: ``******123``."""
    if not value:
        return ""
    return "*" * (len(value) - 3) + value[-3:]


def _plain(value: Any) -> Any:
    """``value`` as JSON: dates as ISO text, decimals as text, models as pk."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def is_sensitive(model: type[models.Model], name: str) -> bool:
    """Whether field ``name`` of ``model`` is kept out of the trail in clear."""
    label = model._meta.label_lower
    if label in MEDICAL_MODELS or name in AUDIT_REDACTED_FIELDS.get(label, ()):
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return True
    return isinstance(field, EncryptedTextField | models.TextField | models.JSONField)


def audit_value(model: type[models.Model], name: str, value: Any) -> Any:
    """How ``value`` of field ``name`` on ``model`` appears in the trail."""
    if name in BSN_FIELDS and model._meta.label_lower not in MEDICAL_MODELS:
        return mask_bsn(value or "")
    if is_sensitive(model, name):
        return redacted(value)
    return _plain(value)


def _field_value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    return getattr(obj, name)


def audit_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The raw values of ``fields`` on ``obj`` now, to diff against later."""
    return {name: _field_value(obj, name) for name in fields}


def audit_changes(
    obj: models.Model,
    before: Mapping[str, Any] | None,
    fields: Iterable[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """``{field: {"before": …, "after": …}}`` for the fields of ``obj`` whose
    value differs from ``before`` (an ``audit_snapshot``), masked for the
    trail. ``before=None`` records a creation: every field of ``fields``
    that has a value, with ``before`` empty."""
    names = list(fields if fields is not None else (before or {}))
    model = type(obj)
    changes: dict[str, dict[str, Any]] = {}
    for name in names:
        after = _field_value(obj, name)
        old = None if before is None else before.get(name)
        if before is not None and old == after:
            continue
        if before is None and after in (None, "", [], {}):
            continue
        changes[name] = {
            "before": audit_value(model, name, old),
            "after": audit_value(model, name, after),
        }
    return changes


def audit_mapping_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    prefix: str,
) -> dict[str, dict[str, Any]]:
    """Changes between two dicts of free content (a document's form data),
    every value redacted: ``{"<prefix>.<key>": {"before", "after"}}``."""
    return {
        f"{prefix}.{key}": {
            "before": redacted(before.get(key)),
            "after": redacted(after.get(key)),
        }
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
