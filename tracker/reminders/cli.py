from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.boundary import unit_of_work
from tracker.reminders.services import send_reminders
from tracker.reviews.services import create_due_reviews
from tracker.timeutil import today, utcnow

reminders_cli = AppGroup("reminders", help="The daily reminder e-mails.")


@reminders_cli.command("send")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=(
        "Send everyone the digest of this day, YYYY-MM-DD, whatever their local time "
        "(default: each user the digest of their own date, once it is DIGEST_HOUR there)."
    ),
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try again the digests that failed earlier the same day (never uncertain ones).",
)
def send_command(day, dry_run: bool, retry_failed: bool) -> None:
    """Send each active user who wants it one e-mail of their overdue items and of those
    due in the next DUE_SOON_DAYS days, in their morning: run it every hour (cron or a
    Kubernetes CronJob); each user's digest goes out with the first run once it is
    DIGEST_HOUR (8 o'clock) or later in their time zone, for their date.

    A user gets at most one digest a day: running again the same day sends nothing more.
    A digest a stopped run may or may not have sent is reported as uncertain and not sent
    again. Exits with status 1 when a message failed.

    It first creates the reviews of standing responsibilities that have come round
    (``reviews create``), so that the hourly job needs no other line.
    """
    if not dry_run:
        with unit_of_work():
            reviews = create_due_reviews(day.date() if day else today())
        if reviews:
            click.echo(f"{len(reviews)} review(s) created")
    try:
        result = send_reminders(
            day.date() if day else None,
            now=utcnow(),
            dry_run=dry_run,
            retry_failed=retry_failed,
        )
    except ValueError as error:  # BASE_URL or MAIL_DEFAULT_SENDER is not usable
        raise click.ClickException(str(error)) from error
    for address, subject in result.planned:
        click.echo(f"would send to {address}: {subject}")
    for address in result.uncertain:
        click.echo(
            f"uncertain: {address}: a run stopped while sending this digest; it may or may "
            "not have been delivered, and is not sent again.",
            err=True,
        )
    for address, error in result.failed:
        click.echo(f"failed: {address}: {error}", err=True)
    click.echo(result.summary())
    if result.failed:
        click.get_current_context().exit(1)
