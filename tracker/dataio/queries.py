"""The statements that read a whole table for an export, and that check and set what an
import needs (row counts, PostgreSQL's id sequences), for any table."""

from __future__ import annotations

import sqlalchemy as sa


def rows_in_key_order(columns: list[sa.Column], key: list[sa.Column]) -> sa.Select:
    """Every row of a table, in ``columns``, ordered by ``key``."""
    return sa.select(*columns).order_by(*key)


def row_count(table: sa.Table) -> sa.Select:
    return sa.select(sa.func.count()).select_from(table)


def serial_sequence(table_name: str, column_name: str) -> sa.Select:
    """PostgreSQL's id sequence of a column, or NULL."""
    return sa.select(sa.func.pg_get_serial_sequence(table_name, column_name))


def sequence_past_max(sequence: str, column: sa.Column) -> sa.Select:
    """Point ``sequence`` past the highest value of ``column``: with is_called false the next
    value is exactly max + 1 (1 for an empty table)."""
    next_id = sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1).scalar_subquery()
    return sa.select(sa.func.setval(sequence, next_id, False))
