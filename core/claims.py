"""Claiming rows under a unique constraint: the way the portal sends things exactly once."""

from collections.abc import Sequence
from datetime import date

from django.db import connection, models


def claim_rows(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    unique: Sequence[str],
) -> dict[tuple, int]:
    """Insert ``rows`` (values for ``columns``) into ``model``'s table, skipping any whose
    ``unique`` columns already stand in a row; answer the ``unique`` values of those
    inserted, with their ids.

    One statement (``INSERT … ON CONFLICT DO NOTHING RETURNING``): under concurrency,
    PostgreSQL makes a second inserter of the same key wait for the first to commit, then
    skip it, so two sweeps at once claim each key once. Date values come back as dates on
    SQLite too."""
    if not rows:
        return {}
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    key = ", ".join(connection.ops.quote_name(c) for c in unique)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {table} ({quoted}) VALUES {', '.join([row] * len(rows))} "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING id, {key}"
    )
    params = [value for values in rows for value in values]
    date_columns = {
        i for i, name in enumerate(unique) if isinstance(_field(model, name), models.DateField)
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    return {
        tuple(
            date.fromisoformat(v) if i in date_columns and isinstance(v, str) else v
            for i, v in enumerate(values)
        ): pk
        for pk, *values in returned
    }


def _field(model, column: str):
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field
    return None
