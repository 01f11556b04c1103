"""An organisation's people page (its users and invitations, with invite / resend / cancel /
deactivate) and accepting an invitation. Adapters between the web and tracker.people.services."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user

from tracker.boundary import refusals_shown_by
from tracker.errorpages import error_page, no_store, unusable_link_page
from tracker.errors import InvalidInput, NotAllowed, NotFound, Refusal, RuleBroken
from tracker.extensions import db
from tracker.i18n import language_of
from tracker.models import Organisation
from tracker.people.forms import AcceptInvitationForm, InvitationForm
from tracker.people.queries import invitations_of, people_events_of, people_of
from tracker.people.services import (
    InvitationUnusable,
    accept_invitation,
    cancel,
    deactivate,
    invite,
    resend,
    usable_invitation,
)
from tracker.people.wording import people_event_text
from tracker.permissions import can_manage_people
from tracker.timeutil import utcnow
from tracker.urls import mail_url

bp = Blueprint("people", __name__)


def _organisation(organisation_id: int) -> Organisation:
    """The organisation, if the signed-in user manages its people; 404 otherwise (the page
    tells outsiders nothing, not even that the organisation exists)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_manage_people(current_user, organisation):
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return organisation


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["INVITATION_LINK_DAYS"])


def _link_for(token: str) -> str:
    return mail_url("people.accept", token=token)


def _page(organisation: Organisation, form: InvitationForm | None = None):
    if form is None:
        form = InvitationForm(language=language_of(current_user))
    return render_template(
        "people/organisation.html",
        organisation=organisation,
        form=form,
        people=db.session.scalars(people_of(organisation.id)).all(),
        invitations=db.session.scalars(invitations_of(organisation.id)).all(),
        events=db.session.scalars(people_events_of(organisation.id)).all(),
        now=utcnow(),
        people_event_text=people_event_text,
    )


@bp.route("/organisations/<int:organisation_id>/people")
@login_required
def page(organisation_id: int):
    return _page(_organisation(organisation_id))


@bp.route("/organisations/<int:organisation_id>/invitations", methods=["POST"])
@login_required
def new_invitation(organisation_id: int):
    organisation = _organisation(organisation_id)
    form = InvitationForm()

    def refused(refusal: Refusal):
        form.show(refusal)
        return _page(organisation, form)

    refusals_shown_by(refused)
    form.check()
    invitation = invite(
        organisation,
        form.data_sent(),
        actor=current_user,
        lifetime=_lifetime(),
        link_for=_link_for,
    )
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("people.page", organisation_id=organisation.id))


def _back_with_message(organisation: Organisation):
    def refused(refusal: Refusal):
        if isinstance(refusal, RuleBroken | NotAllowed):  # a rule of the page: said there
            flash(refusal.message, "error")
            return redirect(url_for("people.page", organisation_id=organisation.id))
        return error_page(refusal.status, refusal.message)

    refusals_shown_by(refused)


@bp.route(
    "/organisations/<int:organisation_id>/invitations/<int:invitation_id>/resend",
    methods=["POST"],
)
@login_required
def resend_invitation(organisation_id: int, invitation_id: int):
    organisation = _organisation(organisation_id)
    _back_with_message(organisation)
    invitation = resend(
        organisation,
        invitation_id,
        actor=current_user,
        lifetime=_lifetime(),
        link_for=_link_for,
    )
    flash(_("Invitation sent again to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("people.page", organisation_id=organisation.id))


@bp.route(
    "/organisations/<int:organisation_id>/invitations/<int:invitation_id>/cancel",
    methods=["POST"],
)
@login_required
def cancel_invitation(organisation_id: int, invitation_id: int):
    organisation = _organisation(organisation_id)
    _back_with_message(organisation)
    invitation = cancel(organisation, invitation_id, actor=current_user)
    flash(_("The invitation to %(email)s is cancelled.", email=invitation.email), "success")
    return redirect(url_for("people.page", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/people/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate_person(organisation_id: int, user_id: int):
    organisation = _organisation(organisation_id)
    _back_with_message(organisation)
    user = deactivate(organisation, user_id, actor=current_user)
    flash(_("%(name)s is deactivated: they can no longer sign in.", name=user.name), "success")
    return redirect(url_for("people.page", organisation_id=organisation.id))


# --- accepting ------------------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str):
    """The invitee chooses a password: their account is made and they are signed in. The
    token is the only credential: the same answer whoever is signed in."""
    refusals_shown_by(unusable_link_page)
    invitation = usable_invitation(token)
    form = AcceptInvitationForm(owner=invitation)

    def page():
        return no_store(render_template("people/accept.html", form=form, invitation=invitation))

    if not form.is_submitted():
        return page()

    def refused(refusal: Refusal):
        if isinstance(refusal, InvalidInput):
            return page()
        if isinstance(refusal, InvitationUnusable):
            return unusable_link_page(refusal)
        return error_page(refusal.status, refusal.message)

    refusals_shown_by(refused)
    form.check()
    user = accept_invitation(invitation, password=form.new_password.data)
    session.clear()  # a fresh session for the new account: no fixation
    login_user(user)
    refresh()  # in the new account's language from now on
    flash(_("Welcome, %(name)s: your account is ready.", name=user.name), "success")
    return redirect(url_for("projects.portfolio"))
