from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from tracker.account.language import SESSION_KEY, language_of
from tracker.auth.forms import ChangePasswordForm, LoginForm, ResetPasswordForm
from tracker.auth.models import User
from tracker.auth.ratelimits import per_account, per_address
from tracker.auth.services import (
    ResetLinkUnusable,
    change_password,
    reset_password,
    usable_reset_link,
)
from tracker.errors import RuleError
from tracker.extensions import db, limiter
from tracker.forms import has_control_characters
from tracker.timeutil import utcnow

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only redirect to a path on this site (and a sane one: bounded, no control characters)."""
    if not target or len(target) > 2000 or has_control_characters(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@per_account
@per_address
def login():
    if current_user.is_authenticated:
        return redirect(url_for("projects.portfolio"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None or not user.check_password(form.password.data) or not user.active:
            form.password.errors.append(
                _("Wrong email or password, or the account is deactivated.")
            )
            return render_template("auth/login.html", form=form), 401
        next_url = safe_next(request.args.get("next"))
        session.clear()  # a fresh session on sign-in: no fixation
        login_user(user, remember=form.remember.data)
        user.last_login_at = utcnow()
        db.session.commit()
        refresh()  # from now on, in the user's own language
        flash(_("Signed in as %(name)s.", name=user.name), "success")
        return redirect(next_url or url_for("projects.portfolio"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.errorhandler(RateLimitExceeded)
def too_many_sign_in_attempts(error: RateLimitExceeded):
    """The sign-in page again, saying why and for how long, rather than a bare error."""
    breached = limiter.current_limit
    # Whole seconds, as in the Retry-After header that Flask-Limiter adds.
    seconds = int(breached.reset_at - time.time()) if breached else 60
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Too many sign-in attempts for this account or from your network. Please wait a "
        "minute before trying again.",
        "Too many sign-in attempts for this account or from your network. Please wait "
        "%(num)d minutes before trying again.",
        minutes,
    )
    return render_template("auth/login.html", form=LoginForm(), refusal=message), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    language = language_of(current_user)
    logout_user()
    session.clear()
    # logout_user asked for the "keep me signed in" cookie to be deleted (Flask-Login does
    # it as the response leaves); clearing the session dropped that request: ask again.
    session["_remember"] = "clear"
    # The sign-in page that follows stays in the language the user had chosen.
    session[SESSION_KEY] = language
    refresh()
    flash(_("Signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_own_password():
    form = ChangePasswordForm(owner=current_user)
    if form.validate_on_submit():
        try:
            change_password(
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except RuleError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("projects.portfolio"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    try:
        link = usable_reset_link(token)
    except ResetLinkUnusable as unusable:
        return _unusable_link(unusable)
    form = ResetPasswordForm(owner=link.user)
    if form.validate_on_submit():
        try:
            reset_password(link, new_password=form.new_password.data)
        except ResetLinkUnusable as unusable:
            db.session.rollback()
            return _unusable_link(unusable)
        db.session.commit()
        # Whoever was signed in in this browser is signed out: the new password is for the
        # link's user, who now signs in with it.
        logout_user()
        session.clear()
        flash(_("Your password has been set. Sign in with it now."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return _no_store(render_template("auth/reset_password.html", form=form, user=link.user), status)


def _unusable_link(unusable: ResetLinkUnusable):
    return _no_store(
        render_template(
            "auth/reset_link_unusable.html", title=unusable.title, message=unusable.message
        ),
        unusable.status,
    )


def _no_store(body: str, status: int):
    """A response that no browser or proxy keeps: its URL holds a secret."""
    return body, status, {"Cache-Control": "no-store"}
