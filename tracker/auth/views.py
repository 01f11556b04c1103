from __future__ import annotations

import math
import time
from datetime import timedelta

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from tracker.auth.ratelimits import (
    per_account,
    per_address,
    reset_requests_per_account,
    reset_requests_per_address,
)
from tracker.auth.services import (
    ResetLinkUnusable,
    authenticate,
    change_password,
    record_sign_in,
    request_reset_link,
    reset_password,
    sign_out,
    usable_reset_link,
)
from tracker.auth.sessions import stay_signed_in
from tracker.boundary import refusals_shown_by
from tracker.errorpages import error_page, no_store, unusable_link_page
from tracker.errors import InvalidInput, Refusal
from tracker.extensions import limiter
from tracker.i18n import SESSION_KEY, language_of
from tracker.urls import mail_url, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@per_account
@per_address
def login():
    if current_user.is_authenticated:
        return redirect(url_for("projects.portfolio"))
    form = LoginForm()
    if not form.is_submitted():
        return render_template("auth/login.html", form=form)
    refusals_shown_by(lambda refusal: render_template("auth/login.html", form=form))
    form.check()
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        form.password.errors.append(_("Wrong email or password, or the account is deactivated."))
        return render_template("auth/login.html", form=form), 401
    next_url = safe_next(request.args.get("next"))
    session.clear()  # a fresh session on sign-in: no fixation
    login_user(user, remember=form.remember.data)
    record_sign_in(user, time_zone_guess=form.time_zone.data)
    refresh()  # from now on, in the user's own language and time zone
    flash(_("Signed in as %(name)s.", name=user.name), "success")
    return redirect(next_url or url_for("projects.portfolio"))


@bp.errorhandler(RateLimitExceeded)
def too_many_sign_in_attempts(error: RateLimitExceeded):
    """The sign-in page again, saying why and for how long, rather than a bare error."""
    breached = limiter.current_limit
    # Whole seconds, as in the Retry-After header that Flask-Limiter adds.
    seconds = int(breached.reset_at - time.time()) if breached else 60
    minutes = max(1, math.ceil(seconds / 60))
    if request.endpoint == "auth.forgot_password":
        message = ngettext(
            "Too many password reset requests for this address or from your network. Please "
            "wait a minute before trying again.",
            "Too many password reset requests for this address or from your network. Please "
            "wait %(num)d minutes before trying again.",
            minutes,
        )
        form = ForgotPasswordForm()
        return render_template("auth/forgot_password.html", form=form, refusal=message), 429
    message = ngettext(
        "Too many sign-in attempts for this account or from your network. Please wait a "
        "minute before trying again.",
        "Too many sign-in attempts for this account or from your network. Please wait "
        "%(num)d minutes before trying again.",
        minutes,
    )
    return render_template("auth/login.html", form=LoginForm(), refusal=message), 429


@bp.route("/forgot-password", methods=["GET", "POST"])
@reset_requests_per_account
@reset_requests_per_address
def forgot_password():
    """Ask for a password reset link by e-mail. The answer is the same whether the address
    has an account or not: nobody learns from it who has one. Signed-in users are sent to
    the portfolio, as from the sign-in page (they change their password on My account)."""
    if current_user.is_authenticated:
        return redirect(url_for("projects.portfolio"))
    form = ForgotPasswordForm()
    if not form.is_submitted():
        return render_template("auth/forgot_password.html", form=form)
    _answer_no_sooner_than(current_app.config["RESET_REQUEST_MIN_SECONDS"])
    refusals_shown_by(lambda refusal: render_template("auth/forgot_password.html", form=form))
    form.check()
    request_reset_link(
        form.email.data,
        lifetime=timedelta(hours=current_app.config["PASSWORD_RESET_LINK_HOURS"]),
        link_for=lambda token: mail_url("auth.reset_with_link", token=token),
    )
    flash(
        _(
            "If an account has this address, a link to set a new password is on its way to "
            "it. Check your inbox (and spam folder) in a few minutes."
        ),
        "info",
    )
    return redirect(url_for("auth.login"))


def _answer_no_sooner_than(seconds: float) -> None:
    """Hold this request's answer until ``seconds`` after now, once its transaction is
    committed: an address with an account costs a link, an e-mail and their commit, which
    an outsider could otherwise time to learn which addresses have accounts."""
    started = time.monotonic()

    @after_this_request
    def held(response):
        left = seconds - (time.monotonic() - started)
        if left > 0:
            sleep(left)
        return response


# The clock's wait, replaced in the tests.
sleep = time.sleep


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    language = language_of(current_user)
    sign_out(current_user)
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
    if not form.is_submitted():
        return render_template("auth/change_password.html", form=form)

    def refused(refusal: Refusal):
        form.show(refusal)
        return render_template("auth/change_password.html", form=form)

    refusals_shown_by(refused)
    form.check()
    change_password(
        current_user,
        current_password=form.current_password.data,
        new_password=form.new_password.data,
    )
    stay_signed_in(current_user)  # the other sessions ended with the old password
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("projects.portfolio"))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    refusals_shown_by(unusable_link_page)
    link = usable_reset_link(token)
    form = ResetPasswordForm(owner=link.user)

    def page():
        return no_store(render_template("auth/reset_password.html", form=form, user=link.user))

    if not form.is_submitted():
        return page()

    def refused(refusal: Refusal):
        if isinstance(refusal, InvalidInput):
            return page()
        if isinstance(refusal, ResetLinkUnusable):
            return unusable_link_page(refusal)
        return error_page(refusal.status, refusal.message)

    refusals_shown_by(refused)
    form.check()
    reset_password(link, new_password=form.new_password.data)
    # Whoever was signed in in this browser is signed out: the new password is for the
    # link's user, who now signs in with it.
    logout_user()
    session.clear()
    flash(_("Your password has been set. Sign in with it now."), "success")
    return redirect(url_for("auth.login"))
