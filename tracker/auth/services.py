"""Changing passwords and password reset links: the use cases of signing in again.
Services flush and never commit.

The password policy (``tracker.auth.passwords``) is applied by the forms through which people
choose passwords; these services take a password already accepted by such a form.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.services import record_people_event
from tracker.auth.links import LinkUnusable, new_token, use_up
from tracker.auth.queries import reset_link_of, user_by_email
from tracker.boundary import flush
from tracker.errors import NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import PasswordResetToken, User
from tracker.permissions import can_manage_users
from tracker.timeutil import utcnow
from tracker.timezones import is_zone


class ResetLinkUnusable(LinkUnusable):
    """A reset link that cannot set a password: unknown (404), used or expired (410)."""


def authenticate(email: str, password: str) -> User | None:
    """The active user with ``email`` and ``password``; None for a wrong e-mail or password
    or a deactivated account: the same answer, after the same work (an unknown e-mail's
    password is checked against a stand-in hash), so that neither tells which."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _stand_in_hash(method: str) -> str:
    """A hash of a random password, made as the accounts' hashes are (once per method)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def record_sign_in(user: User, *, time_zone_guess: str | None = None) -> None:
    """``user`` has just signed in, from a browser whose time zone is ``time_zone_guess``
    (None when it did not tell): it becomes the user's zone if theirs is not known yet. An
    unknown name is ignored; a zone already known (guessed or chosen) is kept."""
    user.last_login_at = utcnow()
    if user.time_zone is None and is_zone(time_zone_guess):
        user.time_zone = time_zone_guess
    flush()


def sign_out(user: User) -> None:
    """``user`` signs out: every session of theirs ends, in every browser, copied session
    and "keep me signed in" cookies included."""
    user.end_sessions()
    flush()


def _unknown() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        404,
        _("Reset link not found"),
        _(
            "This password reset link is not valid. Check that you copied the whole link, or "
            "ask for a new one with “Forgot password?” on the sign-in page."
        ),
    )


def _used() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        410,
        _("Reset link already used"),
        _(
            "This password reset link has already been used. Sign in with your new password, "
            "or ask for a new link with “Forgot password?” on the sign-in page."
        ),
    )


def _expired() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        410,
        _("Reset link expired"),
        _(
            "This password reset link has expired. Ask for a new one with “Forgot "
            "password?” on the sign-in page."
        ),
    )


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """``user`` sets a new password, proving they know the current one."""
    if not user.check_password(current_password):
        raise RuleBroken("current_password", _("This is not your current password."))
    if user.check_password(new_password):
        raise RuleBroken("new_password", _("Choose a password different from your current one."))
    user.set_password(new_password)
    flush()


def issue_reset_link(user: User, *, actor: User, lifetime: timedelta) -> tuple[str, datetime]:
    """A new reset link token for ``user`` and when it expires.

    The token is returned once and only its hash is kept. Links issued earlier and not yet used
    stop working: only the newest one is valid.
    """
    if not can_manage_users(actor):
        raise NotAllowed(_("Only administrators create reset links."))
    if not user.active:
        raise RuleBroken("user", _("This user is deactivated: reactivate them first."))
    return _new_reset_link(user, created_by=actor, lifetime=lifetime)


def _new_reset_link(
    user: User, *, created_by: User | None, lifetime: timedelta
) -> tuple[str, datetime]:
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
    token, token_hash = new_token()
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_hash,
            created_by_id=created_by.id if created_by is not None else None,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    flush()
    return token, now + lifetime


def request_reset_link(email: str, *, lifetime: timedelta, link_for: Callable[[str], str]) -> None:
    """Someone asked for a password reset link for ``email`` ("Forgot password?"): if an
    active account has this address, a new link (``link_for(token)``) is e-mailed to it, in
    its owner's language, and the request is recorded. Nothing happens otherwise, and the
    caller answers the same either way: whether an address has an account is not told."""
    from tracker.auth.mail import queue_reset_mail

    user = user_by_email(email)
    if user is None or not user.active:
        return
    token, expires_at = _new_reset_link(user, created_by=None, lifetime=lifetime)
    queue_reset_mail(user, link=link_for(token), expires_at=expires_at)
    record_people_event(
        "reset_link_requested",
        actor_id=None,
        organisation_id=user.organisation_id,
        email=user.email,
        user_id=user.id,
    )
    flush()


def usable_reset_link(token: str) -> PasswordResetToken:
    """The reset link for ``token``, or ``ResetLinkUnusable`` saying why it cannot be used."""
    link = reset_link_of(token)
    if link is None:
        raise _unknown()
    if link.used_at is not None:
        raise _used()
    # A deactivated user's links lapse with the account.
    if link.is_expired(utcnow()) or not link.user.active:
        raise _expired()
    return link


def reset_password(link: PasswordResetToken, *, new_password: str) -> User:
    """Set the password of the link's user and use the link up (``use_up``: two submissions
    racing with the same link cannot both succeed)."""
    if not use_up(PasswordResetToken, link.id):  # used (or expired) since it was looked up
        raise _used()
    link.user.set_password(new_password)
    flush()
    return link.user
