"""Migrations build the models' schema from nothing, and the app's start-up configuration.

The migration tests run on a database of their own: a fresh SQLite file, and a separate,
uniquely named PostgreSQL database when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import PG_SKIP_REASON
from tests.helpers import (
    create_pg_database,
    drop_pg_database,
    logging_left_alone,
    postgresql_url,
    sample_row,
)
from tracker import config as tracker_config
from tracker import create_app
from tracker.config import normalise_database_url
from tracker.dataio import services as dataio
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """The URL of an empty database that no other test uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = postgresql_url()
    if server is None:
        pytest.skip(PG_SKIP_REASON)
    url = create_pg_database(server, "tracker_migrations_test")
    yield url
    drop_pg_database(url)


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


# --- upgrades keep the data ------------------------------------------------------------


def migration_revisions() -> list[str]:
    """Every revision, oldest first, read from the app's Migrate configuration."""
    app = create_app(tracker_config.TestConfig("sqlite://"))
    with app.app_context():
        return dataio.migration_revisions()


WHEN = datetime(2026, 3, 4, 5, 6, 7, 891011)

# A small portfolio, written as the first revision's tables stand. Each upgrade must keep it.
KEPT_ROWS: dict[str, list[dict[str, Any]]] = {
    "organisations": [
        {"id": 1, "name": "Kept Customer", "kind": "customer", "created_at": WHEN},
        {"id": 2, "name": "Kept Partner", "kind": "partner", "created_at": WHEN},
    ],
    "users": [
        {
            "id": 1,
            "email": "csm@kept.test",
            "name": "Camille Kept",
            "password_hash": "pbkdf2:sha256:1000$salt$0123456789abcdef",
            "role": "csm",
            "organisation_id": None,
            "active": True,
            "created_at": WHEN,
            "last_login_at": None,
        },
        {
            "id": 2,
            "email": "client@kept.test",
            "name": "Client Kept",
            "password_hash": "pbkdf2:sha256:1000$salt$fedcba9876543210",
            "role": "client",
            "organisation_id": 1,
            "active": False,
            "created_at": WHEN,
            "last_login_at": WHEN,
        },
    ],
    "catalogue_versions": [
        {"id": 1, "number": 1, "checksum": "c" * 64, "source": "catalogue.yaml", "loaded_at": WHEN}
    ],
    "catalogue_areas": [
        {
            "id": 1,
            "version_id": 1,
            "key": "onboarding",
            "position": 1,
            "title_fr": "Intégration",
            "title_en": "Onboarding",
            "note_fr": None,
            "note_en": "A note.",
        }
    ],
    "responsibilities": [
        {
            "id": 1,
            "version_id": 1,
            "area_id": 1,
            "key": "kickoff",
            "position": 1,
            "seed_row": 3,
            "text_fr": "Réunion de lancement",
            "text_en": "Kickoff meeting",
            "party_infor": True,
            "party_client": True,
            "party_ims": False,
            "party_implementer": False,
            "ims_eligible": True,
            "condition": None,
            "phase": "onboarding",
            "due_anchor": "kickoff",
            "due_offset_days": 7,
            "marks_inferred": False,
            "confidence": "high",
            "rationale": "Why.",
        }
    ],
    "projects": [
        {
            "id": 1,
            "name": "Kept rollout",
            "customer_id": 1,
            "csm_id": 1,
            "catalogue_version_id": 1,
            "deployment": "single_tenant",
            "environment": "pre_prod",
            "ims_contract": True,
            "implementer": "partner",
            "partner_id": 2,
            "data_migration": True,
            "vpn_required": False,
            "kickoff_date": date(2026, 1, 5),
            "go_live_date": date(2026, 6, 1),
            "created_at": WHEN,
            "updated_at": WHEN,
            "archived_at": None,
            "version": 3,
        }
    ],
    "project_ims_scope": [{"project_id": 1, "responsibility_key": "kickoff"}],
    "checklist_items": [
        {
            "id": 1,
            "project_id": 1,
            "responsibility_id": 1,
            "party": "client",
            "assignee_id": 2,
            "status": "blocked",
            "due_date": date(2026, 1, 12),
            "reason": "Waiting for the firewall change.",
            "not_applicable_by_rule": False,
            "completed_at": None,
            "completed_by_id": None,
            "created_at": WHEN,
            "updated_at": WHEN,
            "version": 2,
        }
    ],
    "comments": [
        {"id": 1, "item_id": 1, "author_id": 2, "body": "Still waiting.", "created_at": WHEN}
    ],
    # Tables of later revisions: rows as their revision stores them.
    "invitations": [
        {
            "id": 1,
            "organisation_id": 1,
            "email": "invitee@kept.test",
            "name": "Invitee Kept",
            "role": "client",
            "is_lead": True,
            "language": "fr",
            "invited_by_id": 1,
            "sent_at": WHEN,
            "cancelled_at": None,
            "user_id": None,
            "token_hash": "a" * 64,
            "created_at": WHEN,
            "expires_at": WHEN,
            "used_at": None,
        }
    ],
    "people_events": [
        {
            "id": 1,
            "created_at": WHEN,
            "actor_id": 1,
            "organisation_id": 1,
            "action": "invitation_sent",
            "email": "invitee@kept.test",
            "user_id": None,
            "invitation_id": 1,
        }
    ],
    "events": [
        {
            "id": 1,
            "project_id": 1,
            "item_id": 1,
            "actor_id": 1,
            "created_at": WHEN,
            "action": "item.status",
            "field": "status",
            "old_value": "todo",
            "new_value": "blocked",
        }
    ],
}


# Columns that later revisions require, with no default: the kept rows get the value the
# upgrade adding the column gives them, when they are written at or after that revision.
LATER_REQUIRED: dict[str, dict[str, Any]] = {"checklist_items": {"accountable": "client"}}


def kept_rows(table: sa.Table) -> list[dict[str, Any]]:
    """``KEPT_ROWS`` of ``table``, as the revision whose ``table`` this is stores them."""
    later = {k: v for k, v in LATER_REQUIRED.get(table.name, {}).items() if k in table.c}
    return [{**row, **later} for row in KEPT_ROWS.get(table.name, [])]


def _tables(connection: sa.Connection) -> list[sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def _contents(connection: sa.Connection, columns: dict[str, list[str]]) -> dict[str, list]:
    """The rows of each table, in ``columns`` only, ordered by primary key."""
    tables = {table.name: table for table in _tables(connection)}
    contents = {}
    for name, names in columns.items():
        table = tables[name]
        query = sa.select(*(table.c[column] for column in names)).order_by(
            *table.primary_key.columns
        )
        contents[name] = [tuple(row) for row in connection.execute(query)]
    return contents


@pytest.mark.parametrize("start", migration_revisions())
def test_upgrading_to_head_keeps_the_rows_of_every_table(start, empty_database_url):
    """From every revision, an upgrade to head keeps each row: the small portfolio above, and
    one sample row in any table it does not cover. (From the head, the upgrade does nothing.)"""
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=start)
        with db.engine.begin() as connection:
            tables = _tables(connection)
            for table in tables:
                rows = kept_rows(table) or [sample_row(connection, table)]
                connection.execute(table.insert(), rows)
        columns = {table.name: [column.name for column in table.columns] for table in tables}
        with db.engine.connect() as connection:
            before = _contents(connection, columns)

        with logging_left_alone():
            flask_migrate.upgrade(revision="head")
        with db.engine.connect() as connection:
            after = _contents(connection, columns)
        db.engine.dispose()

    assert all(before.values())
    changed = {name: {"before": rows, "after": after[name]} for name, rows in before.items()}
    assert {name: rows for name, rows in changed.items() if rows["before"] != rows["after"]} == {}


# --- reasons and events as data (revision 1c9354dbc1cc) ---------------------------------

WORDED = "1c9354dbc1cc"
BEFORE_WORDED = "d73e1ccb9404"
# As the revision before stored them: the tracker's reasons and some events in English.
WORDED_REASONS = {
    "No longer applies: only with a data migration (dmf).": (
        "condition_unmet",
        {"condition": "data_migration"},
    ),
    "No longer applies: now assigned to IMS.": ("reassigned", {"parties": ["ims"]}),
    "No longer applies: now assigned to Infor, Partner.": (
        "reassigned",
        {"parties": ["infor", "partner"]},
    ),
    "No longer applies: now assigned to nobody.": ("reassigned", {"parties": []}),
}
WORDED_EVENTS = {
    ("project.checklist_created", "26 items from catalogue version 1"): {
        "items": 26,
        "catalogue_version": 1,
    },
    ("project.items_added", "3 items"): {"items": 3},
}


@pytest.fixture
def worded_database(empty_database_url):
    """A database at the revision before reasons and events became data, with the tracker's
    English sentences in it; yields (app, connection factory)."""
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=BEFORE_WORDED)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users", "catalogue_versions", "catalogue_areas"):
                connection.execute(tables[name].insert(), KEPT_ROWS[name])
            connection.execute(tables["responsibilities"].insert(), KEPT_ROWS["responsibilities"])
            connection.execute(tables["projects"].insert(), KEPT_ROWS["projects"])
            item = KEPT_ROWS["checklist_items"][0]
            connection.execute(
                tables["checklist_items"].insert(),
                [
                    {
                        **item,
                        "id": n,
                        "party": party,
                        "status": "not_applicable",
                        "reason": text,
                        "not_applicable_by_rule": True,
                        "responsibility_id": 1,
                    }
                    for n, (party, text) in enumerate(
                        zip(("client", "infor", "ims", "partner"), WORDED_REASONS, strict=True),
                        start=1,
                    )
                ],
            )
            connection.execute(
                tables["events"].insert(),
                [
                    {
                        "id": n,
                        "project_id": 1,
                        "item_id": None,
                        "actor_id": 1,
                        "created_at": WHEN,
                        "action": action,
                        "field": None,
                        "old_value": None,
                        "new_value": text,
                    }
                    for n, (action, text) in enumerate(WORDED_EVENTS, start=1)
                ],
            )
        yield app
        db.engine.dispose()


def test_the_trackers_reasons_become_codes_and_parameters(worded_database):
    with worded_database.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=WORDED)
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT reason, reason_code, reason_params FROM checklist_items ORDER BY id"
                )
            ).all()
    assert [(r.reason, r.reason_code, _json(r.reason_params)) for r in rows] == [
        (None, code, params) for code, params in WORDED_REASONS.values()
    ]


def test_worded_events_become_parameters(worded_database):
    with worded_database.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=WORDED)
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT new_value, params FROM events ORDER BY id")
            ).all()
    assert [(r.new_value, _json(r.params)) for r in rows] == [
        (None, params) for params in WORDED_EVENTS.values()
    ]


def test_downgrading_writes_the_sentences_back(worded_database):
    with worded_database.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=WORDED)
            flask_migrate.downgrade(revision=BEFORE_WORDED)
        with db.engine.connect() as connection:
            reasons = (
                connection.execute(sa.text("SELECT reason FROM checklist_items ORDER BY id"))
                .scalars()
                .all()
            )
            texts = (
                connection.execute(sa.text("SELECT new_value FROM events ORDER BY id"))
                .scalars()
                .all()
            )
    assert reasons == [
        # the condition's words as the earlier code wrote them, lower-cased
        "No longer applies: only with a data migration (dmf).",
        *list(WORDED_REASONS)[1:],
    ]
    assert texts == [text for _, text in WORDED_EVENTS]


def test_downgrading_leaves_other_events_as_they_are(worded_database):
    with worded_database.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=WORDED)
        with db.engine.begin() as connection:  # as recorded after the upgrade, params null
            connection.execute(
                sa.text(
                    "INSERT INTO events (id, project_id, actor_id, created_at, action, field,"
                    " old_value, new_value, params) VALUES (99, 1, 1, :when, 'item.status',"
                    " 'status', 'todo', 'done', 'null')"
                ),
                {"when": WHEN},
            )
        with logging_left_alone():
            flask_migrate.downgrade(revision=BEFORE_WORDED)
        with db.engine.connect() as connection:
            kept = connection.execute(
                sa.text("SELECT old_value, new_value FROM events WHERE id = 99")
            ).one()
    assert tuple(kept) == ("todo", "done")


def _json(value):
    """A JSON column as read by a plain SQL statement: decoded on SQLite's text too."""
    return json.loads(value) if isinstance(value, str) else value


# --- users' time zones (revision 3f6a8d1c5b27) ---------------------------------------------

TIME_ZONES = "3f6a8d1c5b27"
BEFORE_TIME_ZONES = "9c4f1b2e6d38"


def _user_columns(connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("users")}


def test_existing_users_get_no_time_zone_and_downgrading_drops_the_column(empty_database_url):
    """Upgraded, existing users have NULL (not known yet: the default zone until guessed);
    a zone set afterwards is dropped by the downgrade, the users kept."""
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=BEFORE_TIME_ZONES)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            connection.execute(tables["organisations"].insert(), KEPT_ROWS["organisations"])
            connection.execute(tables["users"].insert(), KEPT_ROWS["users"])
            assert "time_zone" not in _user_columns(connection)

        with logging_left_alone():
            flask_migrate.upgrade(revision=TIME_ZONES)
        with db.engine.begin() as connection:
            zones = connection.execute(sa.text("SELECT time_zone FROM users")).scalars().all()
            connection.execute(sa.text("UPDATE users SET time_zone = 'Europe/Paris' WHERE id = 1"))

        with logging_left_alone():
            flask_migrate.downgrade(revision=BEFORE_TIME_ZONES)
        with db.engine.connect() as connection:
            columns = _user_columns(connection)
            emails = connection.execute(sa.text("SELECT email FROM users ORDER BY id")).scalars()
            kept = list(emails)
        db.engine.dispose()

    assert zones == [None, None]
    assert "time_zone" not in columns
    assert kept == ["csm@kept.test", "client@kept.test"]


# --- internal comments (revision 3f6a8d2c1b47) ----------------------------------------------

INTERNAL_COMMENTS = "3f6a8d2c1b47"


def _columns(connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns(table)}


def test_existing_comments_and_events_are_not_internal_and_downgrading_keeps_them(
    empty_database_url,
):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=TIME_ZONES)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in (
                "organisations", "users", "catalogue_versions", "catalogue_areas",
                "responsibilities", "projects", "checklist_items", "comments", "events",
            ):  # fmt: skip
                connection.execute(tables[name].insert(), KEPT_ROWS[name])

        with logging_left_alone():
            flask_migrate.upgrade(revision=INTERNAL_COMMENTS)
        with db.engine.connect() as connection:
            flags = [
                connection.execute(sa.text(statement)).scalars().all()
                for statement in ("SELECT internal FROM comments", "SELECT internal FROM events")
            ]

        with logging_left_alone():
            flask_migrate.downgrade(revision=TIME_ZONES)
        with db.engine.connect() as connection:
            columns = _columns(connection, "comments") | _columns(connection, "events")
            bodies = connection.execute(sa.text("SELECT body FROM comments")).scalars().all()
        db.engine.dispose()

    assert [[bool(flag) for flag in column] for column in flags] == [[False], [False]]
    assert "internal" not in columns
    assert bodies == ["Still waiting."]


# --- accountable and contributors (revision e2df3f6950ad) ---------------------------------

ACCOUNTABLE = "e2df3f6950ad"
# An IMS-only row besides the kept one (Infor and client, IMS-eligible), and an item of each
# party: (id, row, party) and the party the upgrade makes accountable for it.
IMS_ONLY_ROW = {
    **KEPT_ROWS["responsibilities"][0],
    "id": 2,
    "key": "ims_only",
    "seed_row": 18,
    "party_infor": False,
    "party_client": False,
    "party_ims": True,
    "ims_eligible": False,
    "condition": "ims_contract",
}
ACCOUNTABLE_FOR = {
    (1, 1, "client"): "client",
    (2, 1, "infor"): "infor",
    (3, 1, "ims"): "client",  # IMS doing the client's share of the row
    (4, 1, "partner"): "infor",  # a partner doing the implementer's share
    (5, 2, "ims"): "ims",  # the row names IMS itself
}


def test_existing_items_answer_as_the_rules_say_and_downgrading_keeps_them(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=INTERNAL_COMMENTS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users", "catalogue_versions", "catalogue_areas"):
                connection.execute(tables[name].insert(), KEPT_ROWS[name])
            connection.execute(
                tables["responsibilities"].insert(), [*KEPT_ROWS["responsibilities"], IMS_ONLY_ROW]
            )
            connection.execute(tables["projects"].insert(), KEPT_ROWS["projects"])
            item = KEPT_ROWS["checklist_items"][0]
            connection.execute(
                tables["checklist_items"].insert(),
                [
                    {**item, "id": n, "responsibility_id": row, "party": party}
                    for n, row, party in ACCOUNTABLE_FOR
                ],
            )

        with logging_left_alone():
            flask_migrate.upgrade(revision=ACCOUNTABLE)
        with db.engine.connect() as connection:
            items = connection.execute(
                sa.text("SELECT accountable, contributors FROM checklist_items ORDER BY id")
            ).all()
            rows = connection.execute(
                sa.text("SELECT accountable, contributors FROM responsibilities ORDER BY id")
            ).all()

        with logging_left_alone():
            flask_migrate.downgrade(revision=INTERNAL_COMMENTS)
        with db.engine.connect() as connection:
            columns = _columns(connection, "checklist_items")
            kept = connection.execute(
                sa.text("SELECT id, party, status FROM checklist_items ORDER BY id")
            ).all()
        db.engine.dispose()

    assert [item.accountable for item in items] == list(ACCOUNTABLE_FOR.values())
    assert [_json(item.contributors) for item in items] == [[]] * len(ACCOUNTABLE_FOR)
    assert [(row.accountable, _json(row.contributors)) for row in rows] == [(None, [])] * 2
    assert {"accountable", "contributors"}.isdisjoint(columns)
    assert [tuple(row) for row in kept] == [
        (n, party, "blocked") for n, _, party in ACCOUNTABLE_FOR
    ]


# --- takeovers, decisions and paired rows (revision a8fdfa080c45) --------------------------

RULES_MADE_RIGHT = "a8fdfa080c45"


def test_existing_items_and_rows_replace_follow_and_keep_nothing_and_downgrading_keeps_them(
    empty_database_url,
):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=ACCOUNTABLE)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in (
                "organisations", "users", "catalogue_versions", "catalogue_areas",
                "responsibilities", "projects", "checklist_items",
            ):  # fmt: skip
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=RULES_MADE_RIGHT)
        with db.engine.connect() as connection:
            items = connection.execute(
                sa.text("SELECT replaces_id, kept_open FROM checklist_items")
            ).all()
            rows = connection.execute(
                sa.text("SELECT rationale_fr, follows_id, follow_days FROM responsibilities")
            ).all()

        with logging_left_alone():
            flask_migrate.downgrade(revision=ACCOUNTABLE)
        with db.engine.connect() as connection:
            columns = _columns(connection, "checklist_items") | _columns(
                connection, "responsibilities"
            )
            kept = connection.execute(sa.text("SELECT reason FROM checklist_items")).scalars()
            reasons = list(kept)
        db.engine.dispose()

    assert [(replaces, bool(flag)) for replaces, flag in items] == [(None, False)]
    assert [tuple(row) for row in rows] == [(None, None, None)]
    assert not columns & {"replaces_id", "kept_open", "rationale_fr", "follows_id", "follow_days"}
    assert reasons == ["Waiting for the firewall change."]


# --- catalogue drafts and events (revision b7c3d5e9f102) ---------------------------------

DRAFTS = "b7c3d5e9f102"


def test_catalogue_drafts_and_events_come_empty_and_go_on_downgrading(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=RULES_MADE_RIGHT)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users", "catalogue_versions"):
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=DRAFTS)
        with db.engine.connect() as connection:
            counts = [
                connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()  # noqa: S608
                for name in ("catalogue_drafts", "catalogue_events", "catalogue_versions")
            ]

        with logging_left_alone():
            flask_migrate.downgrade(revision=RULES_MADE_RIGHT)
        with db.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()

    assert counts == [0, 0, 1]
    assert not left & {"catalogue_drafts", "catalogue_events"}


# --- invitations (revision 5d2b8e41c7a9) ------------------------------------------------

BEFORE_INVITATIONS = "d2b8f4a61c07"  # the outbox
INVITATIONS = "5d2b8e41c7a9"


def test_invitations_and_people_events_come_empty_and_go_on_downgrading(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=BEFORE_INVITATIONS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users"):
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=INVITATIONS)
        with db.engine.connect() as connection:
            counts = [
                connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()  # noqa: S608
                for name in ("invitations", "people_events", "users")
            ]

        with logging_left_alone():
            flask_migrate.downgrade(revision=BEFORE_INVITATIONS)
        with db.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
            users = connection.execute(sa.text("SELECT count(*) FROM users")).scalar()
        db.engine.dispose()

    assert counts == [0, 0, 2]
    assert not left & {"invitations", "people_events"}
    assert users == 2


# --- progress links and standing reviews (revision d5a2c8e4f611) --------------------------

PROGRESS_LINKS = "d5a2c8e4f611"


def test_progress_links_and_reviews_come_empty_and_go_on_downgrading(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=PROGRESS_LINKS)
        with db.engine.connect() as connection:
            counts = [
                connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()  # noqa: S608
                for name in ("progress_links", "progress_link_views", "standing_reviews")
            ]
            rhythms = connection.execute(
                sa.text("SELECT count(*) FROM responsibilities WHERE review_every IS NOT NULL")
            ).scalar()

        with logging_left_alone():
            flask_migrate.downgrade(revision=INVITATIONS)
        with db.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
            columns = {c["name"] for c in sa.inspect(connection).get_columns("responsibilities")}
        db.engine.dispose()

    assert (counts, rhythms) == ([0, 0, 0], 0)
    assert not left & {"progress_links", "progress_link_views", "standing_reviews"}
    assert "review_every" not in columns


# --- start-up configuration -----------------------------------------------------------


class ProductionConfig:
    TRACKER_ENV = "production"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def test_app_refuses_to_start_in_production_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig())


def test_the_flask_command_without_a_secret_key_says_so_in_one_line(tmp_path):
    """No traceback: one line that says what to set (the README's commands, outside
    `make run`'s development set-up)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "TRACKER_ENV", "DATABASE_URL"}
    }
    env |= {"TRACKER_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "tokens", "list", "csm@demo.test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: SECRET_KEY is not set. Set it in the environment for production, or set "
        "TRACKER_ENV=development to run locally (`make run` writes it to .flaskenv)."
    ]


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


# --- notifications and watches (revision 5b8e0c2d7f41) ----------------------------------

NOTIFICATIONS = "5b8e0c2d7f41"


def test_existing_users_get_notifications_at_once_and_downgrading_drops_it_all(
    empty_database_url,
):
    """Upgraded, existing users choose "at once" and were never e-mailed; the two tables
    come empty. Downgrading drops the tables and the columns, the users kept."""
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=PROGRESS_LINKS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users"):
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=NOTIFICATIONS)
        with db.engine.connect() as connection:
            choices = connection.execute(
                sa.text("SELECT notification_email, notification_emailed_at FROM users")
            ).all()
            counts = [
                connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()  # noqa: S608
                for name in ("notifications", "watches")
            ]

        with logging_left_alone():
            flask_migrate.downgrade(revision=PROGRESS_LINKS)
        with db.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
            columns = _columns(connection, "users")
            users = connection.execute(sa.text("SELECT count(*) FROM users")).scalar()
        db.engine.dispose()

    assert choices == [("at_once", None), ("at_once", None)]
    assert counts == [0, 0]
    assert not left & {"notifications", "watches"}
    assert not columns & {"notification_email", "notification_emailed_at"}
    assert users == 2


# --- rollout runs (revision d5a2c8e41f07) -------------------------------------------------

ROLLOUT_RUNS = "d5a2c8e41f07"


def test_rollout_runs_come_empty_take_a_run_and_go_on_downgrading(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=NOTIFICATIONS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users", "catalogue_versions"):
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=ROLLOUT_RUNS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            empty = [
                connection.execute(sa.select(sa.func.count()).select_from(tables[name])).scalar()
                for name in ("rollout_runs", "rollout_run_projects")
            ]
            version_id = connection.execute(sa.select(tables["catalogue_versions"].c.id)).scalar()
            connection.execute(
                tables["rollout_runs"].insert(),
                {"target_id": version_id, "started_at": datetime(2026, 12, 6), "filters": {}},
            )

        with logging_left_alone():
            flask_migrate.downgrade(revision=NOTIFICATIONS)
        with db.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
            versions = connection.execute(sa.text("SELECT count(*) FROM catalogue_versions"))
            kept = versions.scalar()
        db.engine.dispose()

    assert empty == [0, 0]
    assert not left & {"rollout_runs", "rollout_run_projects"}
    assert kept == 1


# --- attached files (revision 5b1f0c7e2a64) ------------------------------------------------

ATTACHMENTS = "5b1f0c7e2a64"


def test_attachments_come_empty_and_go_on_downgrading_keeping_items(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=ROLLOUT_RUNS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("organisations", "users", "catalogue_versions"):
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=ATTACHMENTS)
        with db.engine.connect() as connection:
            columns = _columns(connection, "attachments")
            count = connection.execute(sa.text("SELECT count(*) FROM attachments")).scalar()

        with logging_left_alone():
            flask_migrate.downgrade(revision=ROLLOUT_RUNS)
        with db.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names())
            users = connection.execute(sa.text("SELECT count(*) FROM users")).scalar()
        db.engine.dispose()

    assert {"item_id", "comment_id", "filename", "storage_key", "hidden_at"} <= columns
    assert count == 0
    assert "attachments" not in left
    assert users > 0


# --- go-live sign-off (revision f3a9c2d7e164) ---------------------------------------------

GO_LIVE_SIGN_OFF = "f3a9c2d7e164"


def test_existing_rows_block_go_live_and_sign_off_tables_come_empty_and_go(empty_database_url):
    app = create_app(tracker_config.TestConfig(empty_database_url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade(revision=ATTACHMENTS)
        with db.engine.begin() as connection:
            tables = {table.name: table for table in _tables(connection)}
            for name in ("catalogue_versions", "catalogue_areas", "responsibilities"):
                connection.execute(tables[name].insert(), kept_rows(tables[name]))

        with logging_left_alone():
            flask_migrate.upgrade(revision=GO_LIVE_SIGN_OFF)
        with db.engine.connect() as connection:
            blocking = (
                connection.execute(sa.text("SELECT blocks_go_live FROM responsibilities"))
                .scalars()
                .all()
            )
            counts = [
                connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()  # noqa: S608
                for name in ("go_live_approvers", "go_live_waivers", "go_live_sign_offs")
            ]

        with logging_left_alone():
            flask_migrate.downgrade(revision=ATTACHMENTS)
        with db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            left = set(inspector.get_table_names())
            columns = {c["name"] for c in inspector.get_columns("responsibilities")}
            rows = connection.execute(sa.text("SELECT count(*) FROM responsibilities")).scalar()
        db.engine.dispose()

    assert blocking and all(blocking)
    assert counts == [0, 0, 0]
    assert not left & {"go_live_approvers", "go_live_waivers", "go_live_sign_offs"}
    assert "blocks_go_live" not in columns
    assert rows == len(blocking)
