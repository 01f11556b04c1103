from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.boundary import unit_of_work
from tracker.reviews.services import create_due_reviews
from tracker.timeutil import today

reviews_cli = AppGroup("reviews", help="The reviews of standing responsibilities.")


@reviews_cli.command("create")
@click.option(
    "--on",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Create the reviews come round by this day, YYYY-MM-DD (default: today).",
)
def create_command(day) -> None:
    """Create the dated review of each standing responsibility (an operations row with a
    review rhythm, on a project that has gone live) that has come round: NOTICE_DAYS (14)
    before its date. Idempotent: run it daily from cron, or leave it to `reminders send`,
    which runs it first."""
    with unit_of_work():
        created = create_due_reviews(day.date() if day else today())
    click.echo(f"{len(created)} review(s) created")
