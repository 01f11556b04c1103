"""Personal API tokens: creating, revoking, and finding the user a token opens the API for.
Services flush and never commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.api.queries import active_token_count, token_with_value, tokens_select
from tracker.boundary import flush, separate_transaction
from tracker.errors import NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import ApiToken, User, hash_api_token, new_token_value
from tracker.timeutil import utcnow

MAX_TOKENS_PER_USER = 20
MAX_TOKEN_NAME = 80


def create_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token value (shown once)."""
    name = (name or "").strip()
    if not name:
        raise RuleBroken("name", _("Name the token after what will use it."))
    if len(name) > MAX_TOKEN_NAME:
        raise RuleBroken(
            "name", _("A token name is limited to %(num)d characters.", num=MAX_TOKEN_NAME)
        )
    if active_token_count(user) >= MAX_TOKENS_PER_USER:
        raise RuleBroken(
            "name",
            _("At most %(num)d active tokens; revoke one first.", num=MAX_TOKENS_PER_USER),
        )
    value = new_token_value()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_api_token(value), hint=value[:10])
    db.session.add(token)
    flush()
    return token, value


def revoke_token(token: ApiToken, *, actor: User | None) -> None:
    """Revoke ``token``: its owner may (``actor``), and the command line (None)."""
    if actor is not None and token.user_id != actor.id:
        raise NotAllowed(_("You may revoke only your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        flush()


def user_for_token(value: str) -> User | None:
    """The active user holding the active token ``value``, or None."""
    if not value or len(value) > 200:
        return None
    token = token_with_value(value)
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Record use at most once a minute, so that reads do not all become writes; in a
    # transaction of its own, kept whatever the request ends with, and short.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with separate_transaction() as own:
            own.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(tokens_select(user)))
