"""Changing passwords and password reset links. Services flush and never commit.

The password policy (``tracker.auth.passwords``) is applied by the forms through which people
choose passwords; these services take a password already accepted by such a form.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.auth.models import PasswordResetToken, User, hash_reset_token
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.timeutil import utcnow


class ResetLinkUnusable(Exception):
    """A reset link that cannot set a password; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def _unknown() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        404,
        _("Reset link not found"),
        _(
            "This password reset link is not valid. Check that you copied the whole link, or "
            "ask an administrator for a new one."
        ),
    )


def _used() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        410,
        _("Reset link already used"),
        _(
            "This password reset link has already been used. Sign in with your new password, "
            "or ask an administrator for a new link."
        ),
    )


def _expired() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        410,
        _("Reset link expired"),
        _("This password reset link has expired. Ask an administrator for a new one."),
    )


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """``user`` sets a new password, proving they know the current one."""
    if not user.check_password(current_password):
        raise RuleError("current_password", _("This is not your current password."))
    if user.check_password(new_password):
        raise RuleError("new_password", _("Choose a password different from your current one."))
    user.set_password(new_password)
    db.session.flush()


def issue_reset_link(user: User, *, actor: User, lifetime: timedelta) -> tuple[str, datetime]:
    """A new reset link token for ``user`` and when it expires.

    The token is returned once and only its hash is kept. Links issued earlier and not yet used
    stop working: only the newest one is valid.
    """
    if not user.active:
        raise RuleError("user", _("This user is deactivated: reactivate them first."))
    now = utcnow()
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_reset_token(token),
            created_by_id=actor.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    return token, now + lifetime


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


def usable_reset_link(token: str) -> PasswordResetToken:
    """The reset link for ``token``, or ``ResetLinkUnusable`` saying why it cannot be used."""
    link = db.session.scalar(
        sa.select(PasswordResetToken).where(
            PasswordResetToken.token_hash == hash_reset_token(token)
        )
    )
    if link is None:
        raise _unknown()
    if link.used_at is not None:
        raise _used()
    # A deactivated user's links lapse with the account.
    if link.is_expired(utcnow()) or not link.user.active:
        raise _expired()
    return link


def reset_password(link: PasswordResetToken, *, new_password: str) -> User:
    """Set the password of the link's user and use the link up.

    The link is marked used by a conditional UPDATE, so that two submissions racing with the
    same link cannot both succeed.
    """
    used = db.session.execute(
        sa.update(PasswordResetToken)
        .where(
            PasswordResetToken.id == link.id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # used (or expired) since it was looked up
        raise _used()
    link.user.set_password(new_password)
    db.session.flush()
    return link.user
