"""Browser sessions: a user's sessions end together (tracker.models.User.end_sessions) when
they sign out, get a new password or are deactivated; the browser that made the change
stays signed in where that is what the person asked for (their own new password)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import login_user

from tracker.models import User


def had_remember_cookie() -> bool:
    """Whether this browser sent a "keep me signed in" cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def stay_signed_in(user: User) -> None:
    """After ``user``'s sessions ended by their own doing, this browser carries on with a
    session (and, if it had one, a "keep me signed in" cookie) of the new generation."""
    login_user(user, remember=had_remember_cookie())
