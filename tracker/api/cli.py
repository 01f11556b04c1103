from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.api.models import ApiToken
from tracker.api.services import create_token, revoke_token
from tracker.auth.models import User
from tracker.errors import RuleError
from tracker.extensions import db

tokens_cli = AppGroup("tokens", help="Create, list and revoke personal API tokens.")


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
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
        token, value = create_token(_user(email), name=name)
    except RuleError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(value)
    click.echo(
        f"Token {token.id} ({token.name}) created for {email}. Keep it secret: it will "
        "not be shown again.",
        err=True,
    )


@tokens_cli.command("list")
@click.argument("email")
def list_command(email: str) -> None:
    """List the tokens of the user with EMAIL."""
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == _user(email).id).order_by(ApiToken.id)
    ).all()
    for token in tokens:
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
    revoke_token(token)
    db.session.commit()
    click.echo(f"Token {token_id} ({token.name}) of {token.user.email} revoked.")
