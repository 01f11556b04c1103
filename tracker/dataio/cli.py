"""``flask export-data FILE`` and ``flask import-data FILE``: every record, as one JSON file."""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
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
from tracker.files.archive import ArchiveError, export_files, import_files

STDIO = "-"


@contextmanager
def _replaced_on_success(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """A new file that takes the place of ``path`` only once it is complete.

    It is created readable by its owner only: it holds personal data, maybe password hashes.
    (click's ``open_file(atomic=True)`` would move a half-written file into place on error.)
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8") as out:
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
@click.option(
    "--files",
    "files_archive",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write every attached file to this ZIP archive (the files' companion).",
)
@with_appcontext
def export_data_command(
    file: str, with_secrets: bool, no_timestamp: bool, files_archive: str | None
) -> None:
    """Write every record of every table to FILE (JSON; "-" for standard output).

    Without --with-secrets, password hashes (and any other *_hash, *token_hash* or *secret*
    column) are left out: users imported from such a file need a password reset link.
    With --files ARCHIVE, the attached files' bytes go to ARCHIVE (a ZIP), for import-data.
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
    if files_archive:
        try:
            with _replaced_on_success(Path(files_archive), binary=True) as out:
                copied = export_files(out)
        except OSError as error:
            raise click.ClickException(
                f"Export of the files failed: cannot write {files_archive}: "
                f"{error.strerror or error}"
            ) from error
        click.echo(f"Wrote {copied.files} attached files to {files_archive}.", err=file == STDIO)
        if copied.missing:
            click.echo(
                f"{len(copied.missing)} attached files were missing from the store: "
                + ", ".join(copied.missing),
                err=True,
            )


@click.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--files",
    "files_archive",
    type=click.Path(exists=True, dir_okay=False),
    help="The attached files' ZIP archive written by export-data --files: into this store.",
)
@with_appcontext
def import_data_command(file: str, files_archive: str | None) -> None:
    """Load FILE, written by export-data, into this database ("-" for standard input).

    The database must be new: upgraded with `flask db upgrade` to the revision of the file,
    and empty. Everything is loaded in one transaction; a refused file writes nothing. With
    --files ARCHIVE, the attached files go into this installation's file store, each checked
    against its row (size and SHA-256) before the transaction commits.
    """
    try:
        with click.open_file(file, "r", encoding="utf-8") as stream:
            document = read_document(stream)
        with unit_of_work():
            result = import_data(document)
            if files_archive:
                with open(files_archive, "rb") as archive:
                    copied = import_files(archive)
    except (ArchiveError, zipfile.BadZipFile) as error:
        raise click.ClickException(
            f"Import refused, nothing was written to the database: {error}"
        ) from error
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
    if files_archive:
        click.echo(f"Copied {copied.files} attached files into the file store.")
    if files_archive and copied.missing:
        click.echo(f"{len(copied.missing)} attached files are not in the store.")
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
