"""``flask --app app tokens``: create, list and revoke personal API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.api.services import create_token, revoke_token, tokens_of
from tracker.auth.queries import user_by_email
from tracker.boundary import unit_of_work
from tracker.errors import Refusal
from tracker.extensions import db
from tracker.models import ApiToken, User

tokens_cli = AppGroup("tokens", help="Create, list and revoke personal API tokens.")


def _user(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    if not user.active:
        raise click.ClickException(f"{email} is deactivated.")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'CRM sync'.")
def create_command(email: str, name: str) -> None:
    """Print a new API token for the user with EMAIL (shown once; only its hash is kept)."""
    try:
        with unit_of_work():
            token, value = create_token(_user(email), name=name)
            token_id = token.id
    except Refusal as refusal:
        raise click.ClickException(refusal.message) from refusal
    click.echo(value)
    click.echo(
        f"Token {token_id} ({name.strip()}) created for {email}. Keep it secret: it will "
        "not be shown again.",
        err=True,
    )


@tokens_cli.command("list")
@click.argument("email")
def list_command(email: str) -> None:
    """List the tokens of the user with EMAIL."""
    for token in tokens_of(_user(email)):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "unused"
        click.echo(f"{token.id}\t{token.hint}…\t{token.name}\t{state}\t{used}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke the token with TOKEN_ID (see `tokens list`)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    name, owner = token.name, token.user.email
    with unit_of_work():
        revoke_token(token, actor=None)
    click.echo(f"Token {token_id} ({name}) of {owner} revoked.")
