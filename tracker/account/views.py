from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from tracker.account.forms import PreferencesForm, RevokeForm, TokenForm
from tracker.account.services import set_preferences
from tracker.api.models import ApiToken
from tracker.api.services import create_token, revoke_token, tokens_of
from tracker.errors import RuleError
from tracker.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(
    form: TokenForm,
    *,
    new_token: str | None = None,
    preferences_form: PreferencesForm | None = None,
    status: int = 200,
):
    if preferences_form is None:
        preferences_form = PreferencesForm(formdata=None, obj=current_user)
    return render_template(
        "account/index.html",
        form=form,
        tokens=tokens_of(current_user),
        revoke_form=RevokeForm(formdata=None),
        new_token=new_token,
        preferences_form=preferences_form,
    ), status


@bp.route("")
@login_required
def index():
    return _page(TokenForm(formdata=None))


@bp.route("/tokens", methods=["POST"])
@login_required
def new_token():
    form = TokenForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        _, value = create_token(current_user, name=form.name.data)
    except RuleError as error:
        db.session.rollback()
        form.name.errors.append(error.message)
        return _page(form, status=422)
    db.session.commit()
    # The value is shown on this response only; it is not stored and cannot be shown again.
    return _page(TokenForm(formdata=None), new_token=value)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate():
        revoke_token(token)
        db.session.commit()
        flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("account.index"))


@bp.route("/preferences", methods=["POST"])
@login_required
def preferences():
    """The daily reminder e-mail on or off, and the language (templates/account/_preferences)."""
    form = PreferencesForm()
    if not form.validate():
        return _page(TokenForm(formdata=None), preferences_form=form, status=422)
    try:
        set_preferences(
            current_user, digest_enabled=form.digest_enabled.data, language=form.language.data
        )
    except RuleError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(error.message)
        return _page(TokenForm(formdata=None), preferences_form=form, status=422)
    db.session.commit()
    refresh()  # the confirmation, and the pages from now on, in the language just chosen
    flash(_("Preferences saved."), "success")
    return redirect(url_for("account.index") + "#preferences")
