"""A Dashboard to JSON and back, for ``FigureSnapshot.data`` and exports.

Decimals become strings (no float rounding), dates and datetimes ISO
strings, enums their value, tuples lists. Reading goes by the dataclasses'
own type hints, so a field added to ``analytics.figures`` needs nothing
here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from decimal import Decimal
from typing import Any

from analytics.figures import Dashboard


def to_json(value: Any) -> Any:
    """``value`` (a figures dataclass, or anything inside one) as plain JSON
    data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_json(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _from_json(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _from_json(inner, data)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_from_json(item, element) for element in data)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(
            **{
                field.name: _from_json(hints[field.name], data[field.name])
                for field in dataclasses.fields(kind)
            }
        )
    if kind is Decimal:
        return Decimal(data)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if kind is dt.date:
        return dt.date.fromisoformat(data)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    return data


def dashboard_to_json(dashboard: Dashboard) -> dict[str, Any]:
    return to_json(dashboard)


def dashboard_from_json(data: dict[str, Any]) -> Dashboard:
    return _from_json(Dashboard, data)
