from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.boundary import unit_of_work
from tracker.catalogue.loader import DEFAULT_CATALOGUE, CatalogueError, load_catalogue_file

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
