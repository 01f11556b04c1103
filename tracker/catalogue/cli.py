from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
from flask import render_template
from flask.cli import AppGroup
from flask_babel import force_locale

from tracker.boundary import unit_of_work
from tracker.catalogue.diff import versions_diff
from tracker.catalogue.export import version_yaml
from tracker.catalogue.loader import DEFAULT_CATALOGUE, CatalogueError, load_catalogue_file
from tracker.catalogue.queries import version_or_newest
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES
from tracker.models import CatalogueVersion

STDOUT = "-"

catalogue_cli = AppGroup("catalogue", help="Load and inspect the responsibility catalogue.")


@catalogue_cli.command("load")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def load_command(path: str | None) -> None:
    """Load the catalogue from PATH (default: seeds/catalogue.yaml).

    Loading the same content again changes nothing; changed content becomes a new version.
    A malformed file is refused and nothing is written.
    """
    try:
        with unit_of_work():
            result = load_catalogue_file(path or DEFAULT_CATALOGUE)
    except CatalogueError as error:
        raise click.ClickException(f"Catalogue refused: {error}") from error
    version = result.version
    rows = sum(len(area.responsibilities) for area in version.areas)
    if result.created:
        click.echo(
            f"Loaded catalogue version {version.number}: {len(version.areas)} areas, {rows} rows."
        )
    else:
        click.echo(f"Catalogue unchanged: version {version.number} is current.")


def _version(number: int | None) -> CatalogueVersion:
    """Version ``number``, or the newest; a ClickException when there is none."""
    version = version_or_newest(number)
    if version is None:
        raise click.ClickException(
            f"There is no catalogue version {number}." if number else "No catalogue is loaded."
        )
    return version


def _write(path: Path, text: str) -> None:
    """Write ``text`` to a new file that takes the place of ``path`` only once complete."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@catalogue_cli.command("export")
@click.option(
    "--version",
    "number",
    type=click.IntRange(min=1),
    help="A version number (default: the newest).",
)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def export_command(number: int | None, file: str) -> None:
    """Write a catalogue version to FILE ("-": standard output) as the YAML that `catalogue
    load` reads: loaded again, it changes nothing.
    """
    version = _version(number)
    text = version_yaml(version)
    if file == STDOUT:
        click.echo(text, nl=False)
    else:
        try:
            _write(Path(file), text)
        except OSError as error:
            raise click.ClickException(
                f"Export failed: cannot write {file}: {error.strerror or error}"
            ) from error
    rows = sum(len(area.responsibilities) for area in version.areas)
    click.echo(
        f"Exported catalogue version {version.number} ({len(version.areas)} areas, {rows} rows) "
        f"to {'standard output' if file == STDOUT else file}.",
        err=file == STDOUT,  # standard output carries the YAML itself
    )


@catalogue_cli.command("diff")
@click.argument("before", metavar="N", type=click.IntRange(min=1))
@click.argument("after", metavar="M", type=click.IntRange(min=1))
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="The language of the labels and texts.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON, as the API's catalogue diff.")
def diff_command(before: int, after: int, language: str, as_json: bool) -> None:
    """Print what changed from catalogue version N to version M: the areas and rows added,
    removed and changed, field by field, as the catalogue's comparison page shows them.
    """
    diff = versions_diff(_version(before), _version(after))
    if as_json:
        click.echo(json.dumps(diff.document(), indent=2, ensure_ascii=False))
        return
    with force_locale(language):
        click.echo(render_template("catalogue/diff.txt", diff=diff))
