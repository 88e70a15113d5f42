"""SQL fragments that differ between PostgreSQL and SQLite.

The statistics (``analytics.selectors``) are raw SQL. Production, the tests
and the benchmark run on PostgreSQL; the embedded demo (``make demo``) runs
on SQLite. Each helper returns the fragment for the database in use, so both
run the same query: on PostgreSQL exactly the text that was measured (date
arithmetic on ``date``, GREATEST / LEAST, ``generate_series``), on SQLite
the equivalent with its date functions. SQLite keeps dates as ISO text
(``YYYY-MM-DD``), which compares in date order.

The helpers are called while the SQL text is built (per query, not per row),
so nothing here runs for each row on either database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

# SQLite returns floats for the weighted sums; they are read back with this
# many decimals (far below the 4 decimals of any figure, far above the
# float noise of the sums), so they round as PostgreSQL's numerics do.
_FLOAT_PLACES = Decimal("1e-9")


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def date_param(name: str) -> str:
    """The query parameter ``name`` as a date."""
    return f"%({name})s" if _sqlite() else f"%({name})s::date"


def plus_days(day: str, days: int) -> str:
    """The date ``day`` plus ``days`` days (NULL stays NULL)."""
    if _sqlite():
        return f"date({day}, '{days:+d} days')"
    return f"{day} + {days}"


def days_between(later: str, earlier: str) -> str:
    """The whole number of days from ``earlier`` to ``later``."""
    if _sqlite():
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"{later} - {earlier}"


def greatest(*values: str) -> str:
    """The greatest of ``values``, skipping NULL (PostgreSQL's GREATEST);
    NULL only when all are NULL."""
    return _extreme("GREATEST", "max", values)


def least(*values: str) -> str:
    """The least of ``values``, skipping NULL (PostgreSQL's LEAST)."""
    return _extreme("LEAST", "min", values)


def _extreme(postgresql: str, sqlite: str, values: Sequence[str]) -> str:
    if not _sqlite():
        return f"{postgresql}({', '.join(values)})"
    # SQLite's max() / min() are NULL when any argument is: give each
    # argument the first non-NULL value as its fallback.
    first_of_all = f"COALESCE({', '.join(values)})"
    return f"{sqlite}({', '.join(f'COALESCE({v}, {first_of_all})' for v in values)})"


def decimal(expression: str) -> str:
    """``expression`` as an exact number: PostgreSQL's numeric already is;
    SQLite keeps a whole decimal value as an integer (and divides integers
    as integers), so it is made a real."""
    return f"CAST({expression} AS REAL)" if _sqlite() else expression


def month_start(day: str) -> str:
    """The first day of the month of the date ``day``."""
    if _sqlite():
        return f"date({day}, 'start of month')"
    return f"date_trunc('month', {day})::date"


def month_starts(first: str, last: str) -> str:
    """A FROM item ``m(day)``: the first day of every month from the month
    of date ``first`` up to date ``last``."""
    if _sqlite():
        return f"""(
            WITH RECURSIVE series(day) AS (
                SELECT {month_start(first)}
                UNION ALL
                SELECT date(day, '+1 month') FROM series
                WHERE date(day, '+1 month') <= {last}
            )
            SELECT day FROM series
        ) AS m"""  # noqa: S608 - SQL fragments of this module, no values
    series = (
        f"generate_series(date_trunc('month', {first}), {last}, interval '1 month')"
    )
    return f"(SELECT s::date AS day FROM {series} AS s) AS m"  # noqa: S608


def in_list(expression: str, name: str, size: int) -> str:
    """``expression`` is one of the ``size`` values of list parameter
    ``name`` (see ``list_params``)."""
    placeholders = ", ".join(f"%({name}_{index})s" for index in range(size))
    return f"{expression} IN ({placeholders})"


def list_params(name: str, values: Iterable[Any]) -> dict[str, Any]:
    """The parameters of ``in_list(..., name, ...)`` for ``values``."""
    return {f"{name}_{index}": value for index, value in enumerate(values)}


def prepare(cursor: Any) -> None:
    """Per transaction settings before a statistics query: JIT compilation
    costs these PostgreSQL queries more than it saves (measured: 1.5 s of a
    6 s trend over 100,000 employees), as their cost estimates are far above
    jit_above_cost; switched off for the transaction only."""
    if not _sqlite():
        cursor.execute("SET LOCAL jit = off")


def read_value(value: Any) -> Any:
    """A value of a result row as PostgreSQL gives it: SQLite's floats as
    Decimal (from their decimal text, so they round half up the same way);
    dates stay text on SQLite, see ``read_date``."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(_FLOAT_PLACES)
    return value


def read_date(value: dt.date | str) -> dt.date:
    """A date of a result row (SQLite returns ISO text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
