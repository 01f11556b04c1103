"""Creating, finding and revoking API tokens. Services flush and never commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.api.models import ApiToken, hash_api_token, new_token_value
from tracker.auth.models import User
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.timeutil import utcnow

MAX_TOKENS_PER_USER = 20


def create_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token value (shown once)."""
    name = (name or "").strip()
    if not name:
        raise RuleError("name", _("Name the token after what will use it."))
    if len(name) > 80:
        raise RuleError("name", _("A token name is limited to %(num)d characters.", num=80))
    active = db.session.scalar(
        sa.select(sa.func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_TOKENS_PER_USER:
        raise RuleError(
            "name",
            _("At most %(num)d active tokens; revoke one first.", num=MAX_TOKENS_PER_USER),
        )
    value = new_token_value()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_api_token(value), hint=value[:10])
    db.session.add(token)
    db.session.flush()
    return token, value


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def user_for_token(value: str) -> User | None:
    """The active user holding the active token ``value``, or None."""
    if not value or len(value) > 200:
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_api_token(value))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Record use at most once a minute, so that reads do not all become writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.flush()
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )
