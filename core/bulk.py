"""Set-based upserts of many rows at once.

On PostgreSQL the rows are streamed with COPY into a temporary table and
merged with one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``; that is an
order of magnitude cheaper than building model instances and letting the ORM
render a huge parameterised statement. Other databases (the SQLite demo) go
through ``bulk_create(update_conflicts=True)``. Either way the caller gets
the same result, inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def upsert_rows(
    *,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> None:
    """Insert ``rows`` (tuples in ``fields`` order, attribute names such as
    ``case_id``); where ``unique_fields`` match an existing row, overwrite
    ``update_fields`` instead. The rows must be unique on ``unique_fields``.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows],
            batch_size=500,
            update_conflicts=True,
            unique_fields=[f.removesuffix("_id") for f in unique_fields],
            update_fields=[f.removesuffix("_id") for f in update_fields],
        )
        return
    opts = model._meta
    table = opts.db_table
    columns = [opts.get_field(f.removesuffix("_id")).column for f in fields]
    column_of = dict(zip(fields, columns, strict=True))
    quoted = ", ".join(f'"{c}"' for c in columns)
    temp = f"upsert_{table}"
    conflict = ", ".join(f'"{column_of[f]}"' for f in unique_fields)
    assignments = ", ".join(
        f'"{column_of[f]}" = EXCLUDED."{column_of[f]}"' for f in update_fields
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{temp}"')
        cursor.execute(
            f'CREATE TEMP TABLE "{temp}" ON COMMIT DROP AS '  # noqa: S608 - identifiers from model meta
            f'SELECT {quoted} FROM "{table}" WITH NO DATA'
        )
        with cursor.cursor.copy(f'COPY "{temp}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} FROM "{temp}" '  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
        )
        cursor.execute(f'DROP TABLE "{temp}"')
