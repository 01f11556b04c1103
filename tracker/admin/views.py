"""Administration pages: users and organisations. Adapters between the web and the
administration's use cases (tracker.admin.services)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.admin.forms import OrganisationForm, UserForm
from tracker.admin.queries import organisations_by_name, organisations_select, users_select
from tracker.admin.services import create_user, save_organisation, update_user
from tracker.auth.queries import pending_reset_link
from tracker.auth.services import issue_reset_link
from tracker.auth.sessions import stay_signed_in
from tracker.boundary import refusals_shown_by
from tracker.enums import OrganisationKind, Role
from tracker.errorpages import no_store
from tracker.errors import NotFound, Refusal
from tracker.extensions import db
from tracker.loaders import require
from tracker.models import Organisation, User
from tracker.pagination import paginate
from tracker.people.queries import organisations_managed_by
from tracker.permissions import can_edit_organisation, can_manage_organisations, can_manage_users
from tracker.queryargs import page_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@login_required
def users():
    require(can_manage_users(current_user))
    pagination = paginate(users_select(), page=page_arg(), per_page=50)
    return render_template("admin/users.html", pagination=pagination)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    require(can_manage_users(current_user))
    form = _user_form()
    if not form.is_submitted():
        return _user_page(form)
    refusals_shown_by(lambda refusal: _user_page(form, refusal=refusal))
    form.check()
    user = create_user(actor=current_user, **form.values())
    flash(_("User %(email)s created.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    require(can_manage_users(current_user))
    user = _get(User, user_id)
    form = _user_form(user)
    if not form.is_submitted():
        form.organisation_id.data = user.organisation_id or 0
        form.role.data = user.role.value
        return _user_page(form, user)
    refusals_shown_by(lambda refusal: _user_page(form, user, refusal=refusal))
    form.check()
    update_user(user, actor=current_user, **form.values())
    if user.id == current_user.id:
        stay_signed_in(user)  # an administrator's new password ends their other sessions
    flash(_("User %(email)s saved.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@login_required
def new_reset_link(user_id: int):
    """Create a password reset link for the user and show it, once."""
    require(can_manage_users(current_user))
    user = _get(User, user_id)

    def refused(refusal: Refusal):
        flash(refusal.message, "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))

    refusals_shown_by(refused)
    lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_LINK_HOURS"])
    token, expires_at = issue_reset_link(user, actor=current_user, lifetime=lifetime)
    link = url_for("auth.reset_with_link", token=token, _external=True)
    page = render_template("admin/reset_link.html", user=user, link=link, expires_at=expires_at)
    return no_store(page)  # the link is a secret shown once


@bp.route("/organisations")
@login_required
def organisations():
    require(can_manage_organisations(current_user))
    rows = db.session.scalars(organisations_select()).all()
    managed = set(
        db.session.scalars(
            organisations_managed_by(current_user).with_only_columns(Organisation.id)
        )
    )
    return render_template("admin/organisations.html", organisations=rows, managed=managed)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int | None = None):
    require(can_manage_organisations(current_user))
    organisation = _get(Organisation, organisation_id) if organisation_id else None
    if organisation is not None:
        require(can_edit_organisation(current_user, organisation))
    form = OrganisationForm(obj=organisation)
    if current_user.role is not Role.ADMIN:
        form.kind.choices = [(OrganisationKind.CUSTOMER.value, OrganisationKind.CUSTOMER.label)]
    if not form.is_submitted():
        if organisation is not None:
            form.kind.data = organisation.kind.value
        return _organisation_page(form, organisation)
    refusals_shown_by(lambda refusal: _organisation_page(form, organisation, refusal))
    form.check()
    saved = save_organisation(
        organisation,
        actor=current_user,
        name=form.name.data,
        kind=OrganisationKind(form.kind.data),
    )
    flash(_("%(name)s saved.", name=saved.name), "success")
    return redirect(url_for("admin.organisations"))


def _get(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return found


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    organisations = db.session.scalars(organisations_by_name())
    form.organisation_id.choices = [(0, _l("None (Infor or IMS)"))] + [
        (o.id, f"{o.name} ({o.kind.label.lower()})") for o in organisations
    ]
    return form


def _user_page(form: UserForm, user: User | None = None, *, refusal: Refusal | None = None):
    if refusal is not None:
        form.show(refusal)
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        pending_link=pending_reset_link(user) if user is not None else None,
    )


def _organisation_page(
    form: OrganisationForm, organisation: Organisation | None, refusal: Refusal | None = None
):
    if refusal is not None:
        form.show(refusal)
    return render_template("admin/organisation_form.html", form=form, organisation=organisation)
