"""Exporting every table to one JSON document, and importing it into an empty database.

Both directions work on ``db.metadata`` generically: a table added by a later migration is
exported and imported without a change here. Secret columns are found by their names.

The document, written with a stable layout so that two exports of the same data are
byte-identical (``exported_at`` aside, which ``--no-timestamp`` leaves out)::

    {
      "format": "onboarding-tracker-data",
      "format_version": 1,
      "alembic_revision": "13376a9d39cc",
      "exported_at": "2026-11-28T10:00:00+00:00",
      "with_secrets": false,
      "omitted_columns": {"users": ["password_hash"]},
      "tables": {
        "catalogue_versions": [
          {"id": 1, "number": 1, ...}
        ],
        ...
      }
    }

Tables come in dependency order (``db.metadata.sorted_tables``), rows sorted by primary key,
keys of a row in the table's column order. Dates and times are ISO 8601, enums their string
values, booleans JSON booleans; the file is ASCII (other characters are ``\\u`` escapes).
"""

from __future__ import annotations

import base64
import enum
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from tracker.dataio.queries import row_count, rows_in_key_order, sequence_past_max, serial_sequence
from tracker.extensions import db

FORMAT = "onboarding-tracker-data"
FORMAT_VERSION = 1

# Columns holding secrets, by name: password_hash, token_hash, reset_token_hash, totp_secret...
SECRET_COLUMN_NAME = re.compile(r"_hash$|token_hash|secret|^password$|^token$")

# What an omitted secret becomes on import: no hash ever equals it, so no password or token
# matches it (werkzeug's check_password_hash answers False for it).
UNUSABLE_SECRET = "!"  # noqa: S105 - a marker, not a password

_STREAM_BATCH = 1000


class DataIOError(Exception):
    """An export or import that cannot be done; the message says why and what to do."""


@dataclass
class ExportSummary:
    """What an export wrote."""

    revision: str
    rows: dict[str, int]
    omitted_columns: dict[str, list[str]]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass
class ImportResult:
    """What an import loaded, and which secret columns it had to make unusable."""

    revision: str
    rows: dict[str, int]
    unusable_secrets: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- tables, secrets, revisions ----------------------------------------------------------


def data_tables() -> list[sa.Table]:
    """Every application table, parents before children (Alembic's own table is not one)."""
    return [table for table in db.metadata.sorted_tables if table.name != "alembic_version"]


def is_secret_column(column: sa.Column) -> bool:
    """True for a column that holds a secret (a password or token hash), judged by its name."""
    return SECRET_COLUMN_NAME.search(column.name.lower()) is not None


def _scripts() -> ScriptDirectory:
    """The application's migrations, as Flask-Migrate configures Alembic for them."""
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def head_revision() -> str:
    """The single head revision of the application's migrations."""
    heads = _scripts().get_heads()
    if len(heads) != 1:
        raise DataIOError(
            f"The migrations have {len(heads)} heads ({', '.join(sorted(heads))}); "
            "merge them into one first."
        )
    return heads[0]


def migration_revisions() -> list[str]:
    """Every revision of the application's migrations, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def database_revision(connection: sa.Connection) -> str | None:
    """The revision the database is at, from its alembic_version table (None: not migrated)."""
    heads = MigrationContext.configure(connection).get_current_heads()
    return heads[0] if len(heads) == 1 else None


def _require_head(connection: sa.Connection, head: str, what: str) -> None:
    """Refuse a database that is not at ``head``, or whose tables differ from the models."""
    current = database_revision(connection)
    if current is not None and current not in migration_revisions():
        raise DataIOError(
            f"{what} is at revision {current}, which this version of the tracker does not "
            f"know (its head is {head}): run a version of the tracker that has it."
        )
    if current != head:
        raise DataIOError(
            f"{what} is at revision {current or 'none'}, but this version of the tracker is at "
            f"{head}: run `flask --app app db upgrade` on it first."
        )
    inspector = sa.inspect(connection)
    present = set(inspector.get_table_names())
    for table in data_tables():
        if table.name not in present:
            missing = f"table {table.name}"
        else:
            columns = {column["name"] for column in inspector.get_columns(table.name)}
            absent = [column.name for column in table.columns if column.name not in columns]
            if not absent:
                continue
            missing = f"column {', '.join(f'{table.name}.{name}' for name in absent)}"
        raise DataIOError(
            f"{what} is at revision {head} but has no {missing}, which the models have: "
            "a migration is missing."
        )


# --- export ------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A database value as JSON: ISO 8601 dates and times, enum values, plain booleans."""
    if isinstance(value, enum.Enum):
        return encode_value(value.value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise DataIOError(f"Cannot write a value of type {type(value).__name__} as JSON.")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def _has_integer_key(table: sa.Table) -> bool:
    return all(isinstance(column.type, sa.Integer) for column in table.primary_key.columns)


def _rows(connection: sa.Connection, table: sa.Table, columns: list[sa.Column]) -> Iterator[dict]:
    key = list(table.primary_key.columns) or list(table.columns)
    result = connection.execute(
        rows_in_key_order(columns, key), execution_options={"yield_per": _STREAM_BATCH}
    )
    rows: Iterator = (row._mapping for row in result)
    if not _has_integer_key(table):
        # Text sorts by the database's collation, which differs between databases and
        # locales; Python sorts by code point everywhere, so the file is the same.
        names = [column.name for column in key]
        rows = iter(sorted(rows, key=lambda row: tuple(row[name] for name in names)))
    for row in rows:
        yield {column.name: encode_value(row[column.name]) for column in columns}


def export_data(
    out: IO[str], *, with_secrets: bool = False, exported_at: datetime | None = None
) -> ExportSummary:
    """Write every row of every table to ``out`` as one JSON document.

    Secret columns are left out unless ``with_secrets``; ``exported_at`` None leaves the
    export time out. Reads one consistent snapshot on PostgreSQL. Writes nothing to the
    database. Refuses a database that is not at the head revision.
    """
    head = head_revision()
    try:
        return _export(out, head, with_secrets=with_secrets, exported_at=exported_at)
    except sa.exc.SQLAlchemyError as error:
        raise DataIOError(f"The database could not be read: {_reason(error)}") from error


def _reason(error: sa.exc.SQLAlchemyError) -> str:
    """The first line of the database's own message."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def _export(
    out: IO[str], head: str, *, with_secrets: bool, exported_at: datetime | None
) -> ExportSummary:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        _require_head(connection, head, "The database")
        tables = data_tables()
        omitted = {
            table.name: [column.name for column in table.columns if is_secret_column(column)]
            for table in tables
        }
        omitted = {name: columns for name, columns in omitted.items() if columns}
        if with_secrets:
            omitted = {}
        header: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "alembic_revision": head,
        }
        if exported_at is not None:
            header["exported_at"] = exported_at.isoformat(timespec="seconds")
        header["with_secrets"] = with_secrets
        header["omitted_columns"] = omitted

        out.write("{\n")
        for name, value in header.items():
            out.write(f"  {_dumps(name)}: {_dumps(value)},\n")
        out.write('  "tables": {')
        counts: dict[str, int] = {}
        for index, table in enumerate(tables):
            skipped = set(omitted.get(table.name, ()))
            columns = [column for column in table.columns if column.name not in skipped]
            out.write(("," if index else "") + f"\n    {_dumps(table.name)}: [")
            count = 0
            for row in _rows(connection, table, columns):
                out.write(("," if count else "") + "\n      " + _dumps(row))
                count += 1
            out.write("\n    ]" if count else "]")
            counts[table.name] = count
        out.write("\n  }\n}\n")
    return ExportSummary(revision=head, rows=counts, omitted_columns=omitted)


# --- import: reading and checking the document -------------------------------------------


def read_document(stream: IO[str]) -> dict[str, Any]:
    """Parse an export file; invalid JSON is refused with the line and column at fault."""
    try:
        document = json.load(stream)
    except json.JSONDecodeError as error:
        raise DataIOError(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    except UnicodeDecodeError as error:
        raise DataIOError(f"The file is not UTF-8 text ({error.reason}).") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DataIOError(f'The file is not a tracker export (no "format": "{FORMAT}").')
    return document


def _check_header(document: Mapping[str, Any], head: str) -> None:
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise DataIOError(
            f"Unknown format version {version!r}: this tracker reads version {FORMAT_VERSION}."
        )
    revision = document.get("alembic_revision")
    if not isinstance(revision, str) or not revision:
        raise DataIOError('The file has no "alembic_revision".')
    if revision == head:
        return
    if revision not in migration_revisions():
        raise DataIOError(
            f"The file was exported at revision {revision}, which this version of the tracker "
            f"does not know (its head is {head}): upgrade the tracker here, run "
            "`flask --app app db upgrade`, and import again."
        )
    raise DataIOError(
        f"The file was exported at revision {revision}, but this database is at {head}: "
        "upgrade the source database (`flask --app app db upgrade` with this version of the "
        "tracker) and export it again."
    )


def _omitted_columns(document: Mapping[str, Any], tables: dict[str, sa.Table]) -> dict[str, set]:
    omitted = document.get("omitted_columns", {})
    if not isinstance(omitted, dict):
        raise DataIOError('"omitted_columns" must be an object of table names to column lists.')
    result: dict[str, set] = {}
    for name, columns in omitted.items():
        table = tables.get(name)
        if table is None:
            raise DataIOError(f'"omitted_columns" names an unknown table {name!r}.')
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise DataIOError(f'"omitted_columns" of {name} must be a list of column names.')
        for column in columns:
            if column not in table.columns:
                raise DataIOError(f'"omitted_columns" names an unknown column {name}.{column}.')
            if not is_secret_column(table.columns[column]):
                raise DataIOError(f"Only secret columns may be omitted, not {name}.{column}.")
        result[name] = set(columns)
    return result


class _Explained(ValueError):
    """A refused value, with the reason to show next to it."""


def _typed(*types: type) -> Callable[[Any], Any]:
    """Accept a JSON value of exactly one of ``types`` (so ``true`` is not an integer)."""

    def check(value: Any) -> Any:
        if type(value) not in types:
            raise TypeError
        return value

    return check


def _parsed(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """Accept a JSON string that ``parse`` turns into the database value."""

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError
        return parse(value)

    return convert


def _decoder(column: sa.Column) -> tuple[str, Callable[[Any], Any]]:
    """What a column's JSON value must be, and how to turn it into a database value."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        allowed = list(kind.enums)

        def choice(value: Any) -> str:
            if value not in allowed:
                raise TypeError
            return value

        return f"one of {', '.join(allowed)}", choice
    if isinstance(kind, sa.Boolean):
        return "true or false", _typed(bool)
    if isinstance(kind, sa.Integer):
        return "an integer", _typed(int)
    if isinstance(kind, sa.DateTime):
        return "a date and time (ISO 8601)", _parsed(datetime.fromisoformat)
    if isinstance(kind, sa.Date):
        return "a date (YYYY-MM-DD)", _parsed(date.fromisoformat)
    if isinstance(kind, sa.Time):
        return "a time (ISO 8601)", _parsed(time.fromisoformat)
    if isinstance(kind, sa.Float):
        return "a number", _typed(int, float)
    if isinstance(kind, sa.Numeric):
        return "a decimal number in a string", _parsed(Decimal)
    if isinstance(kind, sa.Uuid):
        return "a UUID", _parsed(uuid.UUID)
    if isinstance(kind, sa.LargeBinary):
        return "base64 bytes", _parsed(lambda text: base64.b64decode(text, validate=True))
    if isinstance(kind, sa.String):
        length = kind.length

        def text(value: Any) -> str:
            if not isinstance(value, str):
                raise TypeError
            if length is not None and len(value) > length:
                raise _Explained(f"longer than {length} characters")
            _refuse_nul(value)
            return value

        return "a string", text
    if isinstance(kind, sa.JSON):

        def document(value: Any) -> Any:
            _refuse_nul(value)
            return value

        return "a JSON value", document
    return "a value", lambda value: value


def _refuse_nul(value: Any) -> None:
    """PostgreSQL stores no NUL character in text or JSON: refused here, where the file's
    table, row and column can be named, rather than by the database's whole insert."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _Explained("it holds a NUL character, which PostgreSQL cannot store")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


def _unique_columns(table: sa.Table) -> set[str]:
    unique = {column.name for column in table.columns if column.unique}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            unique.update(column.name for column in constraint.columns)
    for index in table.indexes:
        if index.unique:
            unique.update(column.name for column in index.columns)
    return unique


def _decode_table(
    table: sa.Table, rows: Any, omitted: set[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of one table as database values, and the secret columns made unusable."""
    if not isinstance(rows, list):
        raise DataIOError(f"Table {table.name} must be a list of rows.")
    expected = [column for column in table.columns if column.name not in omitted]
    expected_names = {column.name for column in expected}
    decoders = {column.name: _decoder(column) for column in expected}
    unique = _unique_columns(table)
    fills: dict[str, Callable[[int], Any]] = {}
    unusable: list[str] = []
    for name in sorted(omitted):
        column = table.columns[name]
        if column.nullable:
            fills[name] = lambda _number: None
        elif isinstance(column.type, sa.String):
            # A unique column needs a distinct unusable value per row.
            fills[name] = (
                (lambda number: f"{UNUSABLE_SECRET}{number}")
                if name in unique
                else (lambda _number: UNUSABLE_SECRET)
            )
            unusable.append(name)
        else:
            raise DataIOError(f"Column {table.name}.{name} is required; the file leaves it out.")

    decoded: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        where = f"Table {table.name}, row {number}"
        if not isinstance(row, dict):
            raise DataIOError(f"{where}: a row must be an object of column names to values.")
        unknown = sorted(set(row) - expected_names)
        if unknown:
            raise DataIOError(f"{where}: unknown column {', '.join(unknown)}.")
        missing = [column.name for column in expected if column.name not in row]
        if missing:
            raise DataIOError(f"{where}: missing column {', '.join(missing)}.")
        values: dict[str, Any] = {}
        for column in expected:
            value = row[column.name]
            if value is None:
                if not column.nullable:
                    raise DataIOError(f"{where}: {column.name} may not be null.")
                values[column.name] = None
                continue
            description, decode = decoders[column.name]
            try:
                values[column.name] = decode(value)
            except (TypeError, ValueError, InvalidOperation) as error:
                detail = f" ({error})" if isinstance(error, _Explained) else ""
                shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                raise DataIOError(
                    f"{where}: {column.name} must be {description}, not {shown}{detail}."
                ) from error
        for name, fill in fills.items():
            values[name] = fill(number)
        decoded.append(values)
    return decoded, unusable


def _check_references(plan: dict[str, list[dict[str, Any]]], tables: list[sa.Table]) -> None:
    """Every foreign key points at a row of the file (the target database is empty), so a
    broken reference is refused the same way on SQLite, which does not enforce them."""
    by_name = {table.name: table for table in tables}
    for table in tables:
        for constraint in table.foreign_key_constraints:
            target = by_name.get(constraint.referred_table.name)
            if target is None:
                continue
            local = [element.parent.name for element in constraint.elements]
            remote = [element.column.name for element in constraint.elements]
            known = {tuple(row[name] for name in remote) for row in plan[target.name]}
            for number, row in enumerate(plan[table.name], start=1):
                key = tuple(row[name] for name in local)
                if None not in key and key not in known:
                    shown = ", ".join(f"{n}={v!r}" for n, v in zip(local, key, strict=True))
                    raise DataIOError(
                        f"Table {table.name}, row {number}: {shown} refers to no row of "
                        f"{target.name}."
                    )


# --- import: the database side ---------------------------------------------------------


def _row_counts(tables: list[sa.Table]) -> dict[str, int]:
    return {table.name: db.session.scalar(row_count(table)) or 0 for table in tables}


def _reset_sequences(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """Point each PostgreSQL id sequence past the highest imported id."""
    if connection.dialect.name != "postgresql":
        return  # SQLite hands out max(rowid) + 1 by itself
    quote = connection.dialect.identifier_preparer
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
            continue
        column = key[0]
        sequence = connection.scalar(serial_sequence(quote.format_table(table), column.name))
        if sequence is not None:
            connection.execute(sequence_past_max(sequence, column))


def import_data(document: Mapping[str, Any]) -> ImportResult:
    """Load an export document into this database, which must be upgraded and empty.

    Everything is checked before the first insert; each table is then inserted with one
    executemany, parents first, and PostgreSQL sequences are moved past the imported ids.
    Flushes, never commits: on an error the caller rolls back and nothing is written.
    """
    head = head_revision()
    _check_header(document, head)
    try:
        return _import(document, head)
    except sa.exc.SQLAlchemyError as error:
        raise DataIOError(f"The database could not be written: {_reason(error)}") from error


def _import(document: Mapping[str, Any], head: str) -> ImportResult:
    connection = db.session.connection()
    _require_head(connection, head, "This database")
    tables = data_tables()
    by_name = {table.name: table for table in tables}

    filled = {name: count for name, count in _row_counts(tables).items() if count}
    if filled:
        shown = ", ".join(f"{name} ({count})" for name, count in filled.items())
        raise DataIOError(
            f"The database is not empty: {shown} already have rows. Import only into a new "
            "database after `flask --app app db upgrade`."
        )

    content = document.get("tables")
    if not isinstance(content, dict):
        raise DataIOError('The file has no "tables" object.')
    unknown = sorted(set(content) - set(by_name))
    if unknown:
        raise DataIOError(f"Unknown table {', '.join(unknown)}: this database has no such table.")
    absent = [table.name for table in tables if table.name not in content]
    if absent:
        raise DataIOError(f"The file has no table {', '.join(absent)}.")
    omitted = _omitted_columns(document, by_name)

    plan: dict[str, list[dict[str, Any]]] = {}
    unusable: dict[str, list[str]] = {}
    for table in tables:
        rows, made_unusable = _decode_table(
            table, content[table.name], omitted.get(table.name, set())
        )
        plan[table.name] = rows
        if made_unusable and rows:
            unusable[table.name] = made_unusable
    _check_references(plan, tables)

    for table in tables:
        if not plan[table.name]:
            continue
        try:
            db.session.execute(table.insert(), plan[table.name])  # one executemany per table
        except sa.exc.StatementError as error:
            raise DataIOError(
                f"The database refused the rows of {table.name}: {_reason(error)}"
            ) from error
    _reset_sequences(connection, tables)
    db.session.flush()
    return ImportResult(
        revision=head,
        rows={name: len(rows) for name, rows in plan.items()},
        unusable_secrets=unusable,
    )
