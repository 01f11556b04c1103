"""Date arithmetic that SQLite and PostgreSQL spell differently, as SQL expressions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_of(FunctionElement):
    """The calendar day (UTC) of a timestamp column."""

    type = sa.Date()
    name = "day_of"
    inherit_cache = True


@compiles(day_of)
def _day_of(element, compiler, **kw) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


class days_between(FunctionElement):
    """``later - earlier`` in whole days, for two dates."""

    type = sa.Integer()
    name = "days_between"
    inherit_cache = True


def _operands(element, compiler, **kw) -> tuple[str, str]:
    later, earlier = list(element.clauses)
    return compiler.process(later, **kw), compiler.process(earlier, **kw)


@compiles(days_between)
def _days_between(element, compiler, **kw) -> str:
    later, earlier = _operands(element, compiler, **kw)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = _operands(element, compiler, **kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def days_late(due: sa.ColumnElement[date], today: sa.ColumnElement[date]) -> sa.ColumnElement[int]:
    """Days from ``due`` to ``today`` (a bound parameter, say; positive once ``due`` has
    passed)."""
    return days_between(today, due)
