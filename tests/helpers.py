"""Helpers for tests that build databases of their own with the migrations."""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from tracker.config import normalise_database_url
from tracker.extensions import db


@contextmanager
def logging_left_alone():
    """Undo the logging set-up that Alembic's env.py applies (``fileConfig``), so that
    running migrations here neither disables nor redirects loggers for later tests."""
    manager = logging.Logger.manager
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    saved = {
        name: (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, logger in list(manager.loggerDict.items()):
            if not isinstance(logger, logging.Logger):
                continue
            disabled, level, handlers, propagate = saved.get(
                name, (False, logging.NOTSET, [], True)
            )
            logger.disabled, logger.propagate = disabled, propagate
            logger.setLevel(level)
            logger.handlers[:] = handlers


# --- PostgreSQL databases of a test's own ------------------------------------------------


def postgresql_url() -> str | None:
    """TEST_DATABASE_URL (normalised to psycopg 3), or None when PostgreSQL runs are off."""
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def _on_server(url: str, statement: str) -> None:
    server = sa.create_engine(
        sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        server.dispose()


def create_pg_database(url: str, prefix: str) -> str:
    """Create a new, uniquely named database on the server of ``url``; return its URL.

    The unique name lets several people (or runs) share one PostgreSQL server.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _on_server(url, f"CREATE DATABASE {name}")
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop the database of ``url`` (made by ``create_pg_database``), closing its sessions."""
    name = sa.make_url(url).database
    _on_server(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- rows for tables whatever their columns ---------------------------------------------


def sample_value(column: sa.Column) -> Any:
    """A valid value for a column, from its type alone."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.JSON):
        return {"sample": column.name}
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 2, 3, 4, 5, 678901)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 2)
    if isinstance(kind, sa.Time):
        return time(3, 4, 5)
    if isinstance(kind, sa.Numeric):
        return Decimal("1.5")
    if isinstance(kind, sa.String):
        return f"sample {column.name}"[: kind.length or None]
    raise NotImplementedError(f"no sample value for {column.table.name}.{column.name} ({kind})")


def sample_row(connection: sa.Connection, table: sa.Table) -> dict[str, Any]:
    """A row for ``table``: its required columns filled by type, and every foreign key
    pointing at an existing row (the referred tables must have one)."""
    generated_key = (
        len(table.primary_key.columns) == 1
        and isinstance(next(iter(table.primary_key.columns)).type, sa.Integer)
        and not table.primary_key.columns[0].foreign_keys
    )
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key and generated_key:
            continue
        if column.foreign_keys:
            referred = next(iter(column.foreign_keys)).column
            row[column.name] = connection.scalar(sa.select(sa.func.min(referred)))
        elif not column.nullable and column.server_default is None:
            row[column.name] = sample_value(column)
    return row


def fill_empty_tables(connection: sa.Connection, tables: list[sa.Table]) -> list[str]:
    """Give each empty table of ``tables`` (parents first) one sample row; return their names."""
    filled = []
    for table in tables:
        if connection.scalar(sa.select(sa.func.count()).select_from(table)) == 0:
            connection.execute(table.insert(), [sample_row(connection, table)])
            filled.append(table.name)
    return filled


def row_counts(tables: list[sa.Table]) -> dict[str, int]:
    """Rows per table, in the current app's database."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in tables
    }


def deliver_outbox(now: datetime | None = None) -> list:
    """Send what the outbox holds (tracker/outbox), inside an app context, through Flask-Mail
    in its test mode: the messages sent (flask_mail.Message), in order."""
    from tracker import outbox
    from tracker.extensions import mail

    with mail.record_messages() as sent:
        outbox.deliver(now=now)
    return list(sent)
