from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.forms import LoginForm
from tracker.auth.models import User
from tracker.extensions import db
from tracker.timeutil import utcnow

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only redirect to a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("projects.portfolio"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None or not user.check_password(form.password.data) or not user.active:
            form.password.errors.append("Wrong email or password, or the account is deactivated.")
            return render_template("auth/login.html", form=form), 401
        next_url = safe_next(request.args.get("next"))
        session.clear()  # a fresh session on sign-in: no fixation
        login_user(user, remember=form.remember.data)
        user.last_login_at = utcnow()
        db.session.commit()
        flash(f"Signed in as {user.name}.", "success")
        return redirect(next_url or url_for("projects.portfolio"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("auth.login"))
