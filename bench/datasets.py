"""The benchmark's data sets, built once and kept on disk.

SQLite: ``bench/bench-<size>.sqlite3``. PostgreSQL: a database ``tracker_bench_<size>`` on
the server of ``BENCH_PG_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/``).
Each holds a table ``bench_dataset`` saying how it was built (populate's version, the
Alembic revision, the seed, when); a data set whose record does not match the current
code (or that has none) is built again from nothing.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from bench.populate import populate
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db

HERE = Path(__file__).resolve().parent
# Bump when populate.py changes what it writes: cached data sets are then built again.
POPULATE_VERSION = 7
SEED = 7
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")


def bench_config(url: str, **overrides) -> TestConfig:
    """The app's settings for benchmarks: the test settings (no CSRF in the test client,
    sign-in limits off), with the production password hashing left to the data."""
    return TestConfig(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}, **overrides)


def pg_available() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    engine = sa.create_engine(sa.make_url(PG_SERVER).set(database="postgres"))
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure means: skip PostgreSQL
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def url_for_dataset(kind: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{HERE / f'bench-{size}.sqlite3'}"
    return sa.make_url(PG_SERVER).set(database=f"tracker_bench_{size}").render_as_string(False)


def _head_revision(app: Flask) -> str:
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_current_head()


def _recorded(app: Flask) -> dict | None:
    with app.app_context():
        try:
            value = db.session.scalar(sa.text("SELECT description FROM bench_dataset"))
        except sa.exc.DBAPIError:
            db.session.rollback()
            return None
        return json.loads(value) if value else None


def _expected(app: Flask, size: int) -> dict:
    return {
        "populate_version": POPULATE_VERSION,
        "revision": _head_revision(app),
        "projects": size,
        "seed": SEED,
    }


def _recreate(kind: str, size: int, url: str) -> None:
    if kind == "sqlite":
        path = HERE / f"bench-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = sa.make_url(url).database
    assert name.startswith("tracker_bench_"), name  # only ever our own databases
    server = sa.create_engine(
        sa.make_url(PG_SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        server.dispose()


def dataset(kind: str, size: int, *, log=print) -> tuple[Flask, dict]:
    """An app on the ``kind`` data set of ``size`` projects, built if needed; and its record."""
    url = url_for_dataset(kind, size)
    app = create_app(bench_config(url))
    expected = _expected(app, size)
    if kind == "postgresql":
        exists = _pg_database_exists(url)
    else:
        exists = (HERE / f"bench-{size}.sqlite3").exists()
    record = _recorded(app) if exists else None
    if record and all(record.get(key) == value for key, value in expected.items()):
        log(f"  reusing {kind} data set of {size} projects (built {record['built_at']})")
        return app, record
    with app.app_context():
        db.engine.dispose()
    _recreate(kind, size, url)
    app = create_app(bench_config(url))
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        migrated = time.perf_counter() - started
        log(f"  building the {kind} data set of {size} projects...")
        made = populate(size, seed=SEED, log=log)
        record = {
            **expected,
            **{k: v for k, v in made.items() if k != "seconds"},
            "populate_seconds": round(made["seconds"], 1),
            "migrate_seconds": round(migrated, 1),
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        db.session.execute(sa.text("CREATE TABLE bench_dataset (description TEXT)"))
        db.session.execute(
            sa.text("INSERT INTO bench_dataset VALUES (:d)"), {"d": json.dumps(record)}
        )
        db.session.commit()
        log(
            f"  built {size} projects ({made['items']} items, {made['rows']} rows) in "
            f"{made['seconds']:.1f} s (statistics {made['analyze_seconds']:.1f} s)"
        )
    return app, record


def _pg_database_exists(url: str) -> bool:
    name = sa.make_url(url).database
    server = sa.create_engine(sa.make_url(PG_SERVER).set(database="postgres"))
    try:
        with server.connect() as connection:
            return bool(
                connection.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                ).scalar()
            )
    finally:
        server.dispose()
