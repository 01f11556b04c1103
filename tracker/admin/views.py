from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker.admin.forms import OrganisationForm, UserForm
from tracker.admin.services import create_user, save_organisation, update_user
from tracker.auth.models import User
from tracker.auth.services import issue_reset_link, pending_reset_link
from tracker.enums import OrganisationKind, Role
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.organisations.models import Organisation
from tracker.permissions import can_edit_organisation, can_manage_organisations, can_manage_users
from tracker.queryargs import page_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _organisation_choices(form: UserForm) -> None:
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    form.organisation_id.choices = [(0, _l("None (Infor or IMS)"))] + [
        (o.id, f"{o.name} ({o.kind.label.lower()})") for o in organisations
    ]


@bp.route("/users")
@login_required
def users():
    _require(can_manage_users(current_user))
    pagination = db.paginate(
        sa.select(User)
        .options(joinedload(User.organisation))
        .order_by(User.active.desc(), User.name),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    return render_template("admin/users.html", pagination=pagination)


def _user_values(form: UserForm) -> dict:
    """The user form's fields as the user services take them."""
    return {
        "email": form.email.data,
        "name": form.name.data,
        "role": Role(form.role.data),
        "organisation_id": form.organisation_id.data or None,
        "password": form.password.data,
        "active": form.active.data,
    }


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    _require(can_manage_users(current_user))
    form = UserForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            user = create_user(**_user_values(form))
        except RuleError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    _require(can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    _organisation_choices(form)
    if request.method == "GET":
        form.organisation_id.data = user.organisation_id or 0
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            update_user(user, actor=current_user, **_user_values(form))
        except RuleError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/user_form.html", form=form, user=user, pending_link=pending_reset_link(user)
    ), status


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@login_required
def new_reset_link(user_id: int):
    """Create a password reset link for the user and show it, once."""
    _require(can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_LINK_HOURS"])
    try:
        token, expires_at = issue_reset_link(user, actor=current_user, lifetime=lifetime)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    db.session.commit()
    link = url_for("auth.reset_with_link", token=token, _external=True)
    page = render_template("admin/reset_link.html", user=user, link=link, expires_at=expires_at)
    # The link is a secret shown once: no cache may keep this page.
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/organisations")
@login_required
def organisations():
    _require(can_manage_organisations(current_user))
    rows = db.session.scalars(
        sa.select(Organisation).order_by(Organisation.kind, Organisation.name)
    ).all()
    return render_template("admin/organisations.html", organisations=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int | None = None):
    _require(can_manage_organisations(current_user))
    organisation = db.get_or_404(Organisation, organisation_id) if organisation_id else None
    if organisation is not None:
        _require(can_edit_organisation(current_user, organisation))
    form = OrganisationForm(obj=organisation)
    if current_user.role is not Role.ADMIN:
        form.kind.choices = [(OrganisationKind.CUSTOMER.value, OrganisationKind.CUSTOMER.label)]
    if request.method == "GET" and organisation is not None:
        form.kind.data = organisation.kind.value
    if form.validate_on_submit():
        try:
            saved = save_organisation(
                organisation, name=form.name.data, kind=OrganisationKind(form.kind.data)
            )
        except RuleError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin.organisations"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/organisation_form.html", form=form, organisation=organisation
    ), status
