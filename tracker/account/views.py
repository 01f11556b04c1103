"""My account: preferences (the daily e-mail, the language, the time zone) and personal API
tokens.
Adapters between the web and the account's use cases."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from tracker.account.forms import PreferencesForm, RevokeForm, TokenForm
from tracker.account.services import set_preferences
from tracker.api.queries import token_of
from tracker.api.services import create_token, revoke_token, tokens_of
from tracker.boundary import refusals_shown_by
from tracker.errors import NotFound, Refusal
from tracker.timezones import zone_name_of

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.after_request
def not_stored(response):
    """The account's pages show secrets (the calendar feed's address, a new token): no
    browser or proxy keeps a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(
    form: TokenForm | None = None,
    *,
    new_token: str | None = None,
    preferences_form: PreferencesForm | None = None,
):
    if preferences_form is None:
        zone = zone_name_of(current_user)
        preferences_form = PreferencesForm(formdata=None, obj=current_user, current_zone=zone)
        preferences_form.time_zone.data = zone  # not known yet: the zone times are shown in
    return render_template(
        "account/index.html",
        form=form or TokenForm(formdata=None),
        tokens=tokens_of(current_user),
        revoke_form=RevokeForm(formdata=None),
        new_token=new_token,
        preferences_form=preferences_form,
    )


@bp.route("")
@login_required
def index():
    return _page()


@bp.route("/tokens", methods=["POST"])
@login_required
def new_token():
    form = TokenForm()

    def refused(refusal: Refusal):
        form.show(refusal)
        return _page(form)

    refusals_shown_by(refused)
    form.check()
    _, value = create_token(current_user, name=form.name.data)
    # The value is shown on this response only; it is not stored and cannot be shown again.
    return _page(new_token=value)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = token_of(current_user, token_id)
    if token is None:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if RevokeForm().validate():
        revoke_token(token, actor=current_user)
        flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("account.index"))


@bp.route("/preferences", methods=["POST"])
@login_required
def preferences():
    """The daily reminder e-mail on or off, the language and the time zone
    (templates/account/_preferences)."""
    form = PreferencesForm(current_zone=zone_name_of(current_user))

    def refused(refusal: Refusal):
        form.show(refusal)
        return _page(preferences_form=form)

    refusals_shown_by(refused)
    form.check()
    set_preferences(
        current_user,
        digest_enabled=form.digest_enabled.data,
        language=form.language.data,
        time_zone=form.time_zone.data,
        notification_email=form.notification_email.data,
    )
    refresh()  # the confirmation, and the pages from now on, in the language and zone chosen
    flash(_("Preferences saved."), "success")
    return redirect(url_for("account.index") + "#preferences")
