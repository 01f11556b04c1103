from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from tracker import outbox
from tracker.boundary import unit_of_work

outbox_cli = AppGroup("outbox", help="The e-mails waiting to be sent, and their delivery.")


def _report(result: outbox.DeliveryResult, *, quiet: bool = False) -> None:
    for message_id, error in result.retrying:
        click.echo(f"retrying later: message {message_id}: {error}", err=True)
    for message_id, error in result.failed:
        click.echo(f"failed: message {message_id}: {error}", err=True)
    for message_id in result.uncertain:
        click.echo(
            f"uncertain: message {message_id}: a deliverer stopped while sending it; it may or "
            "may not have gone, and is not sent again (flask outbox retry --uncertain).",
            err=True,
        )
    if not quiet or result.sent or result.retrying or result.failed or result.uncertain:
        click.echo(result.summary())


@outbox_cli.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many messages.")
def deliver_command(limit: int | None) -> None:
    """Send every e-mail that is due, once (for cron: every minute). Several may run at
    once; none sends a message twice. Exits with status 1 when a message failed for good."""
    result = outbox.deliver(limit=limit)
    _report(result)
    if result.failed:
        click.get_current_context().exit(1)


@outbox_cli.command("work")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between two looks at the outbox (default OUTBOX_POLL_SECONDS, 2).",
)
def work_command(poll: float | None) -> None:
    """Keep sending e-mails as they are queued, until stopped (Ctrl-C or SIGTERM). Run one
    or more beside the web servers; `make run` starts one."""
    interval = poll or float(current_app.config.get("OUTBOX_POLL_SECONDS", 2))
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"Outbox worker: looking every {interval:g} s; Ctrl-C to stop.")
    try:
        while not stopping:
            try:
                _report(outbox.deliver(), quiet=True)
            except Exception:
                # (each step's unit of work has rolled its own changes back)
                current_app.logger.exception("outbox delivery failed; trying again")
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Outbox worker stopped.")


@outbox_cli.command("status")
def status_command() -> None:
    """How many e-mails are pending, being sent, sent, failed and uncertain."""
    for state, count in outbox.counts().items():
        click.echo(f"{state:10} {count}")


@outbox_cli.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--uncertain", is_flag=True, help="Also the messages left uncertain by a stop.")
def retry_command(ids: tuple[int, ...], uncertain: bool) -> None:
    """Send failed messages (all, or the IDS given) again, now; with --uncertain, also
    those a stopped deliverer may or may not have sent (they may arrive twice)."""
    states = (outbox.FAILED, outbox.UNCERTAIN) if uncertain else (outbox.FAILED,)
    with unit_of_work():
        count = outbox.retry(list(ids) or None, states=states)
    click.echo(f"{count} message(s) will be sent again.")
