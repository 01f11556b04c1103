"""The test database: a base built once per backend, and a transaction per test rolled back.

The base holds the catalogue and ``factories.World`` (customers, one user per role, two
projects), committed once. Each test then runs in one transaction on one connection, which
every session the application opens joins (``join_transaction_mode="create_savepoint"``: the
application's commits and rollbacks are savepoints), and which is rolled back at the end:
nothing a test writes outlives it. A test that does not ask for ``world`` starts from an
empty database: the base's rows are deleted inside its transaction.

What writes outside that transaction (``db.engine`` directly, another thread, a fixture of
its own) must say so: ``Base.invalidate()`` has the base built again before the next test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import scoped_session

from tests import factories
from tracker.extensions import db
from tracker.timeutil import today


class BoundSession(FlaskSession):
    """The application's session, on the test's connection whatever the table or the app
    (Flask-SQLAlchemy's own would take a connection of the app's engine)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


def delete_every_row(connection: sa.Connection) -> None:
    for table in reversed(db.metadata.sorted_tables):
        connection.execute(table.delete())


def rows_written(connection: sa.Connection) -> int:
    """How many rows this connection's statements have inserted, updated or deleted so far
    (on PostgreSQL: in its current transaction): a number that moves with any write, read
    before and after a request that should write nothing."""
    if connection.dialect.name == "sqlite":
        return connection.exec_driver_sql("SELECT total_changes()").scalar_one()
    return connection.exec_driver_sql(
        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
    ).scalar_one()


@dataclass
class Base:
    """What every test starts from; built again when invalid or built on another day (the
    world's dates are relative to today)."""

    world: factories.World | None = None
    day: date | None = None

    @property
    def valid(self) -> bool:
        return self.world is not None and self.day == today()

    def invalidate(self) -> None:
        self.world = None

    def ensure(self, app: Flask) -> None:
        if self.valid:
            return
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                delete_every_row(connection)
            self.world = factories.build_world()
            db.session.remove()
        self.day = today()


@contextmanager
def _driver_transactions_off(connection: sa.Connection) -> Iterator[None]:
    """SQLite's driver begins transactions itself, late, and a SAVEPOINT outside one would
    commit when released: on this connection, SQLAlchemy begins them (SQLAlchemy's recipe
    for savepoints on SQLite), and the pool gets it back as it was."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.isolation_level = None
    try:
        yield
    finally:
        driver.isolation_level = ""


@contextmanager
def rolled_back(app: Flask, *, empty: bool) -> Iterator[sa.Connection]:
    """One transaction for the whole test, rolled back after it; ``empty``: without the
    base's rows."""
    with app.app_context():
        connection = db.engine.connect()
    try:
        with _driver_transactions_off(connection), _transaction(connection, app, empty=empty):
            yield connection
    finally:
        connection.close()


@contextmanager
def _transaction(connection: sa.Connection, app: Flask, *, empty: bool) -> Iterator[None]:
    outer = connection.begin()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    if empty:
        delete_every_row(connection)
    original = db.session
    db.session = scoped_session(
        db._make_session_factory(
            {
                "class_": BoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        ),
        original.registry.scopefunc,
    )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        outer.rollback()
