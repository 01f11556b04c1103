from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.boundary import unit_of_work
from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file
from tracker.catalogue.queries import current_version
from tracker.demo.data import ACCOUNTS, DEMO_PASSWORD, create_demo_data, database_is_empty
from tracker.timeutil import today


@click.command("demo")
@with_appcontext
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has users."
)
def demo_command(if_empty: bool) -> None:
    """Create demo customers, projects and accounts (password: demo-password)."""
    if not database_is_empty():
        if if_empty:
            click.echo("Demo data skipped: the database already has users.")
            return
        raise click.ClickException(
            "The database already has users; demo data goes only into an empty database."
        )
    with unit_of_work():
        if current_version() is None:
            load_catalogue_file(DEFAULT_CATALOGUE)
        counts = create_demo_data(today())
    click.echo(
        f"Demo data created: {counts['projects']} projects, {counts['users']} accounts "
        f"(password: {DEMO_PASSWORD}):"
    )
    for email, _name, role, _org in ACCOUNTS:
        click.echo(f"  {email:<28} {role.label}")
