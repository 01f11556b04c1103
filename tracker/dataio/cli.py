"""``flask export-data FILE`` and ``flask import-data FILE``: every record, as one JSON file."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.boundary import unit_of_work
from tracker.dataio.services import DataIOError, export_data, import_data, read_document

STDIO = "-"


@contextmanager
def _replaced_on_success(path: Path) -> Iterator[IO[str]]:
    """A new file that takes the place of ``path`` only once it is complete.

    It is created readable by its owner only: it holds personal data, maybe password hashes.
    (click's ``open_file(atomic=True)`` would move a half-written file into place on error.)
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@click.command("export-data")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option(
    "--with-secrets",
    is_flag=True,
    help="Include password hashes and other secret columns (keep such a file safe).",
)
@click.option(
    "--no-timestamp",
    is_flag=True,
    help="Leave out the export time: two exports of the same data are then byte-identical.",
)
@with_appcontext
def export_data_command(file: str, with_secrets: bool, no_timestamp: bool) -> None:
    """Write every record of every table to FILE (JSON; "-" for standard output).

    Without --with-secrets, password hashes (and any other *_hash, *token_hash* or *secret*
    column) are left out: users imported from such a file need a password reset link.
    """
    exported_at = None if no_timestamp else datetime.now(UTC).replace(microsecond=0)
    try:
        if file == STDIO:
            summary = export_data(sys.stdout, with_secrets=with_secrets, exported_at=exported_at)
        else:
            with _replaced_on_success(Path(file)) as out:
                summary = export_data(out, with_secrets=with_secrets, exported_at=exported_at)
    except DataIOError as error:
        raise click.ClickException(f"Export refused: {error}") from error
    except OSError as error:
        raise click.ClickException(
            f"Export failed: cannot write {file}: {error.strerror or error}"
        ) from error
    left_out = [
        f"{table}.{column}"
        for table, columns in summary.omitted_columns.items()
        for column in columns
    ]
    secrets = (
        "with secrets"
        if with_secrets
        else f"without secrets ({', '.join(left_out) or 'none found'} left out)"
    )
    click.echo(
        f"Exported {summary.total} rows of {len(summary.rows)} tables at revision "
        f"{summary.revision}, {secrets}, to {'standard output' if file == STDIO else file}.",
        err=file == STDIO,  # standard output carries the JSON itself
    )


@click.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def import_data_command(file: str) -> None:
    """Load FILE, written by export-data, into this database ("-" for standard input).

    The database must be new: upgraded with `flask db upgrade` to the revision of the file,
    and empty. Everything is loaded in one transaction; a refused file writes nothing.
    """
    try:
        with click.open_file(file, "r", encoding="utf-8") as stream:
            document = read_document(stream)
        with unit_of_work():
            result = import_data(document)
    except DataIOError as error:
        raise click.ClickException(f"Import refused, nothing was written: {error}") from error
    except OSError as error:
        raise click.ClickException(
            f"Import failed: cannot read {file}: {error.strerror or error}"
        ) from error
    click.echo(
        f"Imported {result.total} rows into {len(result.rows)} tables at revision "
        f"{result.revision}."
    )
    for table, columns in result.unusable_secrets.items():
        shown = ", ".join(columns)
        if table == "users":
            click.echo(
                f"The file had no password hashes: none of the {result.rows[table]} users can "
                "sign in, administrators included, until they set a new password from a "
                "password reset link. Give one administrator a password first (docs/cli.md, "
                '"Moving data"); they then create a reset link on each user\'s page.'
            )
        else:
            click.echo(
                f"The file had no secrets: {result.rows[table]} rows of {table} got an "
                f"unusable {shown}."
            )


def register_dataio_commands(app: Flask) -> None:
    """Add ``export-data`` and ``import-data`` to the app's ``flask`` command."""
    app.cli.add_command(export_data_command)
    app.cli.add_command(import_data_command)
