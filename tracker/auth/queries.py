"""Reads about signing in: users by e-mail, password reset links."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import PasswordResetToken, User
from tracker.models.link import SingleUseLink, hash_link_token
from tracker.timeutil import utcnow

L = TypeVar("L", bound=SingleUseLink)


def user_by_email(email: str) -> User | None:
    """The user with ``email`` (compared as stored: trimmed, lower-case)."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def link_of(model: type[L], token: str) -> L | None:
    """The single-use link of ``model`` whose token is ``token`` (only its hash is stored)."""
    return db.session.scalar(sa.select(model).where(model.token_hash == hash_link_token(token)))


def reset_link_of(token: str) -> PasswordResetToken | None:
    """The reset link whose token is ``token`` (only its hash is stored)."""
    return link_of(PasswordResetToken, token)


def pending_reset_link(user: User) -> PasswordResetToken | None:
    """The reset link of ``user`` that could still be used, if any."""
    return db.session.scalar(
        sa.select(PasswordResetToken)
        .where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
        )
        .order_by(PasswordResetToken.expires_at.desc())
        .limit(1)
    )
