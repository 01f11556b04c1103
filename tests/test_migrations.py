"""Migrations build the models' schema from nothing, and the app's start-up configuration.

The migration tests run on a database of their own: a fresh SQLite file, and a separate
PostgreSQL database when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import PG_SKIP_REASON
from tracker import config as tracker_config
from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db

PG_DATABASE = "tracker_migrations_test"


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


def _create_pg_database(url: str) -> str:
    server = sa.create_engine(
        sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {PG_DATABASE}"))
    finally:
        server.dispose()
    return sa.make_url(url).set(database=PG_DATABASE).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    server = sa.create_engine(
        sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
    finally:
        server.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """The URL of an empty database that no other test uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    yield _create_pg_database(normalise_database_url(url))
    _drop_pg_database(normalise_database_url(url))


@pytest.fixture
def upgraded_app(empty_database_url):
    """An app on a database built by ``flask db upgrade`` alone."""
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context(), logging_left_alone():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_on_an_empty_database_gives_the_models_schema(upgraded_app):
    with upgraded_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_upgrade_creates_every_model_table(upgraded_app):
    with upgraded_app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())

    assert tables == set(db.metadata.tables) | {"alembic_version"}


def test_downgrade_to_base_leaves_only_the_alembic_version_table(upgraded_app):
    with upgraded_app.app_context():
        with logging_left_alone():
            flask_migrate.downgrade(revision="base")
        tables = sa.inspect(db.engine).get_table_names()

    assert tables == ["alembic_version"]


# --- start-up configuration -----------------------------------------------------------


class ProductionConfig:
    TRACKER_ENV = "production"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def test_app_refuses_to_start_in_production_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig())


def test_app_starts_in_production_with_a_secret_key():
    config = ProductionConfig()
    config.SECRET_KEY = "a-real-secret"

    app = create_app(config)

    assert app.config["SECRET_KEY"] == "a-real-secret"


@pytest.mark.parametrize(
    "url",
    ["postgres://u:pw@db.example:5432/tracker", "postgresql://u:pw@db.example:5432/tracker"],
)
def test_postgres_database_urls_are_normalised_to_psycopg(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u:pw@db.example:5432/tracker"


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://u@db.example/tracker", "sqlite:////var/lib/tracker.sqlite3"],
)
def test_other_database_urls_are_left_as_they_are(url):
    assert normalise_database_url(url) == url
