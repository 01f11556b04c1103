"""``flask export-data`` and ``flask import-data``: every record survives a move, even to
another database.

These tests build databases of their own with the migrations (an import needs the target at
the head revision): SQLite files, and uniquely named PostgreSQL databases when
TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from tests import factories
from tests.conftest import PG_SKIP_REASON
from tests.helpers import (
    create_pg_database,
    drop_pg_database,
    fill_empty_tables,
    logging_left_alone,
    postgresql_url,
    row_counts,
)
from tracker import config as tracker_config
from tracker import create_app
from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file
from tracker.checklist.services import add_comment
from tracker.dataio.services import (
    FORMAT_VERSION,
    UNUSABLE_SECRET,
    data_tables,
    head_revision,
    is_secret_column,
    migration_revisions,
)
from tracker.demo.data import create_demo_data
from tracker.extensions import db
from tracker.models import ChecklistItem, Organisation, Project, User
from tracker.projects.services import create_project
from tracker.timeutil import today

DEMO_PASSWORD = "demo-password"


class Databases:
    """Makes migrated databases for a test, and removes them afterwards."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.apps: list[Flask] = []
        self.pg_urls: list[str] = []

    def url(self, kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.tmp_path_factory.mktemp('dataio') / 'db.sqlite3'}"
        server = postgresql_url()
        if server is None:
            pytest.skip(PG_SKIP_REASON)
        url = create_pg_database(server, "tracker_dataio")
        self.pg_urls.append(url)
        return url

    def unmigrated(self, kind: str) -> Flask:
        files = self.tmp_path_factory.mktemp("files")  # each database its own file store
        app = create_app(tracker_config.TestConfig(self.url(kind), STORAGE_URL=str(files)))
        self.apps.append(app)
        return app

    def migrated(self, kind: str) -> Flask:
        app = self.unmigrated(kind)
        with app.app_context(), logging_left_alone():
            flask_migrate.upgrade()
        return app

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        for url in self.pg_urls:
            drop_pg_database(url)


@pytest.fixture
def databases(tmp_path_factory):
    made = Databases(tmp_path_factory)
    yield made
    made.close()


@pytest.fixture(scope="module")
def module_databases(tmp_path_factory):
    made = Databases(tmp_path_factory)
    yield made
    made.close()


def fill_with_demo_data(app: Flask) -> None:
    """The demo portfolio, a few comments (and their events), and a row in every other table."""
    with app.app_context():
        load_catalogue_file(DEFAULT_CATALOGUE)
        create_demo_data(today())
        author = db.session.scalar(sa.select(User).where(User.email == "client@acme.demo.test"))
        items = db.session.scalars(
            sa.select(ChecklistItem).order_by(ChecklistItem.id).limit(3)
        ).all()
        for number, item in enumerate(items, start=1):
            add_comment(item, actor=author, body=f"Comment {number}: déjà vu, “quoted”.")
        fill_empty_tables(db.session.connection(), data_tables())
        db.session.commit()


@pytest.fixture(scope="module")
def sqlite_source(module_databases) -> Flask:
    """A migrated SQLite database holding the demo data, with rows in every table."""
    app = module_databases.migrated("sqlite")
    fill_with_demo_data(app)
    return app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def source(request, module_databases, sqlite_source) -> Flask:
    """The demo data in a migrated database, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_source
    app = module_databases.migrated("postgresql")
    fill_with_demo_data(app)
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, databases) -> Flask:
    """A new database upgraded to head: what import-data expects."""
    return databases.migrated(request.param)


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def export(app: Flask, path: Path, *options: str) -> Path:
    result = run(app, "export-data", str(path), *options)
    assert result.exit_code == 0, result.output
    return path


def export_document(app: Flask, tmp_path: Path, *options: str) -> dict:
    path = export(app, tmp_path / "export.json", "--no-timestamp", *options)
    return json.loads(path.read_text(encoding="utf-8"))


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return row_counts(data_tables())


# --- export ------------------------------------------------------------------------------


def test_export_writes_every_table_in_dependency_order(source, tmp_path):
    document = export_document(source, tmp_path)

    with source.app_context():
        expected = [table.name for table in db.metadata.sorted_tables]
    assert list(document["tables"]) == [name for name in expected if name != "alembic_version"]


def test_export_writes_every_row(source, tmp_path):
    document = export_document(source, tmp_path)

    exported = {name: len(rows) for name, rows in document["tables"].items()}
    assert exported == counts(source)


def test_export_sorts_rows_by_primary_key(source, tmp_path):
    document = export_document(source, tmp_path)

    with source.app_context():
        keys = {t.name: [c.name for c in t.primary_key.columns] for t in data_tables()}
    for name, rows in document["tables"].items():
        found = [[row[column] for column in keys[name]] for row in rows]
        assert found == sorted(found), name


def test_export_records_the_format_version_and_the_alembic_revision(source, tmp_path):
    document = export_document(source, tmp_path)

    with source.app_context():
        head = head_revision()
    assert (document["format_version"], document["alembic_revision"]) == (FORMAT_VERSION, head)


def test_export_without_secrets_has_no_password_hashes(source, tmp_path):
    path = export(source, tmp_path / "export.json")

    text = path.read_text(encoding="utf-8")
    users = json.loads(text)["tables"]["users"]
    assert users and all("password_hash" not in user for user in users)
    assert "pbkdf2:" not in text and "scrypt:" not in text


def test_export_without_secrets_lists_the_columns_it_left_out(source, tmp_path):
    document = export_document(source, tmp_path)

    assert document["with_secrets"] is False
    assert "password_hash" in document["omitted_columns"]["users"]


def test_export_with_secrets_keeps_password_hashes(source, tmp_path):
    document = export_document(source, tmp_path, "--with-secrets")

    hashes = [user["password_hash"] for user in document["tables"]["users"]]
    assert hashes and all(h.startswith("pbkdf2:") for h in hashes)
    assert document["omitted_columns"] == {}


def test_export_writes_dates_enums_and_booleans_as_json_values(source, tmp_path):
    row = export_document(source, tmp_path)["tables"]["projects"][0]

    with source.app_context():
        project = db.session.get(Project, row["id"])
        assert row["kickoff_date"] == project.kickoff_date.isoformat()  # 2026-11-28
        assert row["created_at"] == project.created_at.isoformat()  # 2026-11-28T07:51:00.123456
        assert row["deployment"] == project.deployment.value
        assert row["ims_contract"] is project.ims_contract


def test_two_exports_of_the_same_data_are_byte_identical(source, tmp_path):
    first = export(source, tmp_path / "first.json", "--no-timestamp", "--with-secrets")
    second = export(source, tmp_path / "second.json", "--no-timestamp", "--with-secrets")

    assert first.read_bytes() == second.read_bytes()


def test_timestamped_exports_differ_only_in_the_export_time(source, tmp_path):
    first = json.loads(export(source, tmp_path / "first.json").read_text(encoding="utf-8"))
    second = json.loads(export(source, tmp_path / "second.json").read_text(encoding="utf-8"))

    assert "exported_at" in first
    del first["exported_at"], second["exported_at"]
    assert first == second


def test_no_timestamp_leaves_the_export_time_out(source, tmp_path):
    document = export_document(source, tmp_path)

    assert "exported_at" not in document


def test_export_to_a_dash_writes_the_json_to_standard_output(sqlite_source, tmp_path):
    result = run(sqlite_source, "export-data", "-", "--no-timestamp")
    file = export(sqlite_source, tmp_path / "export.json", "--no-timestamp")

    assert result.exit_code == 0, result.output
    assert result.stdout == file.read_text(encoding="utf-8")


def test_export_file_is_readable_by_its_owner_only(sqlite_source, tmp_path):
    path = export(sqlite_source, tmp_path / "export.json")

    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_export_refuses_a_database_that_is_not_upgraded(kind, databases, tmp_path):
    app = databases.unmigrated(kind)

    result = run(app, "export-data", str(tmp_path / "export.json"))

    assert result.exit_code == 1
    assert "db upgrade" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["password_hash", "token_hash", "reset_token_hash", "totp_secret", "password"]
)
def test_secret_columns_are_found_by_name(name):
    assert is_secret_column(sa.Column(name, sa.String))


@pytest.mark.parametrize("name", ["checksum", "email", "password_changed_at", "tokens_used"])
def test_other_columns_are_not_secret(name):
    assert not is_secret_column(sa.Column(name, sa.String))


# --- round trips -------------------------------------------------------------------------


def test_the_round_trip_source_has_rows_in_every_table(sqlite_source):
    assert [name for name, count in counts(sqlite_source).items() if count == 0] == []


def round_trip(source: Flask, target: Flask, tmp_path: Path) -> tuple[bytes, bytes]:
    first = export(source, tmp_path / "first.json", "--with-secrets", "--no-timestamp")
    result = run(target, "import-data", str(first))
    assert result.exit_code == 0, result.output
    second = export(target, tmp_path / "second.json", "--with-secrets", "--no-timestamp")
    return first.read_bytes(), second.read_bytes()


def test_sqlite_round_trip_gives_the_same_file(sqlite_source, databases, tmp_path):
    first, second = round_trip(sqlite_source, databases.migrated("sqlite"), tmp_path)

    assert first == second


def test_sqlite_to_postgresql_round_trip_gives_the_same_file(sqlite_source, databases, tmp_path):
    first, second = round_trip(sqlite_source, databases.migrated("postgresql"), tmp_path)

    assert first == second


# --- import ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_export(sqlite_source, tmp_path_factory) -> Path:
    """The demo data exported with secrets."""
    path = tmp_path_factory.mktemp("exports") / "demo.json"
    return export(sqlite_source, path, "--with-secrets", "--no-timestamp")


@pytest.fixture(scope="module")
def demo_export_without_secrets(sqlite_source, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "demo-without-secrets.json"
    return export(sqlite_source, path)


def test_import_loads_every_row(target, demo_export, sqlite_source):
    result = run(target, "import-data", str(demo_export))

    assert result.exit_code == 0, result.output
    assert counts(target) == counts(sqlite_source)


def test_import_reads_standard_input_from_a_dash(target, demo_export):
    result = run_with_input(target, demo_export.read_text(encoding="utf-8"))

    assert result.exit_code == 0, result.output
    assert counts(target)["users"] > 0


def run_with_input(app: Flask, text: str):
    return app.test_cli_runner().invoke(args=["import-data", "-"], input=text)


def test_after_import_a_new_project_gets_a_fresh_id(target, demo_export):
    run(target, "import-data", str(demo_export))

    with target.app_context():
        highest = db.session.scalar(sa.select(sa.func.max(Project.id)))
        csm = db.session.scalar(sa.select(User).where(User.email == "csm@demo.test"))
        customer = db.session.scalar(sa.select(Organisation).order_by(Organisation.id).limit(1))
        data = factories.project_data(customer.id, csm.id, name="After the move")
        project = create_project(data, actor=csm)
        db.session.commit()

        assert project.id == highest + 1


def test_users_imported_with_secrets_keep_their_passwords(target, demo_export):
    run(target, "import-data", str(demo_export))

    with target.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "csm@demo.test"))
        assert user.check_password(DEMO_PASSWORD)


def test_import_without_secrets_says_users_need_a_reset_link(target, demo_export_without_secrets):
    result = run(target, "import-data", str(demo_export_without_secrets))

    assert result.exit_code == 0, result.output
    assert "password reset link" in result.output


def test_users_imported_without_secrets_have_an_unusable_password(
    target, demo_export_without_secrets
):
    run(target, "import-data", str(demo_export_without_secrets))

    with target.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "csm@demo.test"))
        assert user.password_hash == UNUSABLE_SECRET
        assert user.check_password(DEMO_PASSWORD) is False
        assert user.check_password(UNUSABLE_SECRET) is False


def test_users_imported_without_secrets_cannot_sign_in(target, demo_export_without_secrets):
    run(target, "import-data", str(demo_export_without_secrets))

    response = target.test_client().post(
        "/login", data={"email": "csm@demo.test", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 401


def test_import_into_a_non_empty_database_is_refused_and_writes_nothing(target, demo_export):
    with target.app_context():
        load_catalogue_file(DEFAULT_CATALOGUE)
        db.session.commit()
    before = counts(target)

    result = run(target, "import-data", str(demo_export))

    assert result.exit_code == 1
    assert "not empty" in result.output
    assert counts(target) == before


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_import_refuses_a_database_that_is_not_upgraded(kind, databases, demo_export):
    app = databases.unmigrated(kind)

    result = run(app, "import-data", str(demo_export))

    assert result.exit_code == 1
    assert "db upgrade" in result.output


def test_import_refuses_an_unknown_format_version(target, demo_export, tmp_path):
    document = json.loads(demo_export.read_text(encoding="utf-8"))
    document["format_version"] = FORMAT_VERSION + 1
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    result = run(target, "import-data", str(path))

    assert result.exit_code == 1
    assert "Unknown format version" in result.output
    assert set(counts(target).values()) == {0}


def test_import_refuses_a_file_from_another_revision_and_says_to_upgrade(
    target, demo_export, tmp_path
):
    document = json.loads(demo_export.read_text(encoding="utf-8"))
    document["alembic_revision"] = "0123456789ab"
    path = tmp_path / "other-revision.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    result = run(target, "import-data", str(path))

    assert result.exit_code == 1
    assert "0123456789ab" in result.output and "upgrade" in result.output
    assert set(counts(target).values()) == {0}


def test_import_refuses_a_file_from_an_older_revision_and_says_to_upgrade_the_source(
    target, demo_export, tmp_path
):
    with target.app_context():
        older = migration_revisions()[:-1]
    if not older:
        pytest.skip("There is one migration revision only: no file can be older.")
    document = json.loads(demo_export.read_text(encoding="utf-8"))
    document["alembic_revision"] = older[-1]
    path = tmp_path / "older.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    result = run(target, "import-data", str(path))

    assert result.exit_code == 1
    assert "upgrade the source database" in result.output
    assert set(counts(target).values()) == {0}


def _broken(document: dict, change: str) -> str:
    """The demo export with one defect; the last table is changed where it can be, to show
    that the rows of the tables before it are not written either."""
    tables = document["tables"]
    last = list(tables)[-1]
    if change == "invalid JSON":
        return json.dumps(document)[:-20]
    if change == "not an export":
        return json.dumps({"tables": tables})
    if change == "unknown table":
        tables["spreadsheets"] = []
    elif change == "missing table":
        del tables[last]
    elif change == "unknown column":
        tables[last][0]["colour"] = "red"
    elif change == "missing column":
        del tables["projects"][0]["name"]
    elif change == "wrong type":
        tables["projects"][0]["kickoff_date"] = "next monday"
    elif change == "unknown enum value":
        tables["users"][0]["role"] = "boss"
    elif change == "null in a required column":
        tables["events"][0]["action"] = None
    elif change == "too long":
        tables["users"][0]["email"] = "x" * 300 + "@example.test"
    elif change == "dangling reference":
        tables["comments"][0]["author_id"] = 9999
    elif change == "duplicate primary key":
        tables[last].append(dict(tables[last][0]))
    return json.dumps(document)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("comments", "body", "Ready\u0000"),
        ("events", "params", {"count": 3, "note": "a\u0000b"}),
    ],
    ids=["text", "json"],
)
def test_a_nul_character_is_refused_naming_its_table_row_and_column(
    table, column, value, target, demo_export, tmp_path
):
    document = json.loads(demo_export.read_text(encoding="utf-8"))
    document["tables"][table][1][column] = value
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(document))

    result = run(target, "import-data", str(path))

    assert result.exit_code == 1, result.output
    assert f"Table {table}, row 2: {column} must be" in result.output
    assert "NUL character" in result.output
    assert set(counts(target).values()) == {0}


@pytest.mark.parametrize(
    "change",
    [
        "invalid JSON",
        "not an export",
        "unknown table",
        "missing table",
        "unknown column",
        "missing column",
        "wrong type",
        "unknown enum value",
        "null in a required column",
        "too long",
        "dangling reference",
        "duplicate primary key",
    ],
)
def test_a_malformed_file_is_refused_and_writes_nothing(change, target, demo_export, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(_broken(json.loads(demo_export.read_text(encoding="utf-8")), change))

    result = run(target, "import-data", str(path))

    assert result.exit_code == 1, result.output
    assert "Import refused, nothing was written" in result.output
    assert "Traceback" not in result.output
    assert set(counts(target).values()) == {0}


# --- attached files: the companion archive ----------------------------------------------

EVIDENCE = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _with_a_file(app: Flask) -> str:
    """A project with an attached file; its storage key."""
    from tracker.files.services import attach_file

    with app.app_context():
        load_catalogue_file(DEFAULT_CATALOGUE)
        create_demo_data(today())
        author = db.session.scalar(sa.select(User).where(User.email == "client@acme.demo.test"))
        item = db.session.scalars(sa.select(ChecklistItem).order_by(ChecklistItem.id)).first()
        attachment = attach_file(
            item, actor=author, filename="Signed minutes.pdf", stream=io.BytesIO(EVIDENCE)
        )
        db.session.commit()
        return attachment.storage_key


def _stored_bytes(app: Flask, key: str) -> bytes:
    from tracker.files.storage import storage

    with app.app_context():
        return b"".join(storage().chunks(key))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_move_with_the_files_archive_keeps_the_attached_files(kind, databases, tmp_path):
    source = databases.migrated("sqlite")
    key = _with_a_file(source)
    data, files = tmp_path / "export.json", tmp_path / "files.zip"
    export(source, data, "--with-secrets", "--files", str(files))
    target = databases.migrated(kind)

    result = run(target, "import-data", str(data), "--files", str(files))

    assert result.exit_code == 0, result.output
    assert f"Copied {counts(source)['attachments']} attached files" in result.output
    assert _stored_bytes(target, key) == EVIDENCE


def test_an_archive_that_does_not_go_with_the_data_is_refused(databases, tmp_path):
    source = databases.migrated("sqlite")
    _with_a_file(source)
    data, files = tmp_path / "export.json", tmp_path / "files.zip"
    export(source, data, "--with-secrets")
    with zipfile.ZipFile(files, "w") as archive:
        archive.writestr("files/ab/not-one-of-ours", b"%PDF-1.4 other")
    target = databases.migrated("sqlite")

    result = run(target, "import-data", str(data), "--files", str(files))

    assert result.exit_code != 0
    assert "no attached file of the imported data" in result.output
    assert counts(target)["users"] == 0  # nothing was written
