"""Go-live's pages and forms: adapters between the web and go-live's use cases
(tracker.golive.services). The forms are on the project page's readiness panel; a refused
change goes back there with the reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.boundary import refusals_shown_by
from tracker.errors import InvalidInput, Refusal
from tracker.golive.forms import ApproverForm, ConfirmGoLiveForm, SignOffForm, WaiverForm
from tracker.golive.queries import is_approver, readiness_of
from tracker.golive.services import confirm_go_live, designate_approver, sign_off, waive_item
from tracker.golive.summary import handover_summary
from tracker.loaders import load_item, load_project, require
from tracker.models import Project
from tracker.permissions import can_manage_go_live, can_sign_off
from tracker.timeutil import today

bp = Blueprint("golive", __name__)


def _back_to(project: Project):
    """Show a refusal on the project page, as a message above its readiness panel."""

    def refused(refusal: Refusal):
        if isinstance(refusal, InvalidInput):
            for field in refusal.form:
                for error in field.errors:
                    flash(f"{field.label.text}: {error}", "danger")
        else:
            flash(refusal.message, "danger")
        return redirect(url_for("projects.detail", project_id=project.id) + "#readiness")

    refusals_shown_by(refused)


def _to_panel(project: Project):
    return redirect(url_for("projects.detail", project_id=project.id) + "#readiness")


@bp.post("/projects/<int:project_id>/go-live/approvers")
@login_required
def add_approver(project_id: int):
    project = load_project(project_id, may=can_manage_go_live, shown=False)
    form = ApproverForm()
    _back_to(project)
    form.check()
    user = designate_approver(project, form.user_id.data, actor=current_user)
    flash(_("%(name)s may now sign go-live off.", name=user.name), "success")
    return _to_panel(project)


@bp.route("/projects/<int:project_id>/go-live/waivers/<int:item_id>", methods=["GET", "POST"])
@login_required
def waive(project_id: int, item_id: int):
    """Let go-live go ahead without an open blocking item: the CSM says why."""
    project = load_project(project_id)
    item = load_item(project, item_id)  # another project's item: 404, whoever asks
    require(can_manage_go_live(current_user, project))
    form = WaiverForm()
    if not form.is_submitted():
        return _waiver_page(project, item, form)

    def refused(refusal: Refusal):
        form.show(refusal)
        return _waiver_page(project, item, form)

    refusals_shown_by(refused)
    form.check()
    waive_item(project, item.id, form.reason.data, actor=current_user)
    flash(_("Item waived for go-live."), "success")
    return _to_panel(project)


def _waiver_page(project: Project, item, form: WaiverForm):
    return render_template("golive/waiver.html", project=project, item=item, form=form)


@bp.route("/projects/<int:project_id>/go-live/sign-off", methods=["GET", "POST"])
@login_required
def sign(project_id: int):
    """The client's sign-off: refused with the blocking items still open, unless waived."""
    project = load_project(project_id)
    require(can_sign_off(current_user, project, approver=is_approver(project.id, current_user.id)))
    form = SignOffForm()
    if not form.is_submitted():
        return _sign_off_page(project, form)

    def refused(refusal: Refusal):
        form.show(refusal)
        return _sign_off_page(project, form)

    refusals_shown_by(refused)
    form.check()
    sign_off(
        project,
        actor=current_user,
        note=form.note.data,
        rating=form.rating_value,
        rating_comment=form.rating_comment.data,
    )
    flash(_("Go-live signed off. Thank you."), "success")
    return _to_panel(project)


def _sign_off_page(project: Project, form: SignOffForm):
    return render_template(
        "golive/sign_off.html", project=project, form=form, readiness=readiness_of(project)
    )


@bp.post("/projects/<int:project_id>/go-live/confirm")
@login_required
def confirm(project_id: int):
    project = load_project(project_id, may=can_manage_go_live, shown=False)
    form = ConfirmGoLiveForm()
    _back_to(project)
    form.check()
    on = today()
    confirm_go_live(project, actor=current_user, on=form.went_live_on.data or on, today=on)
    flash(
        _("Go-live confirmed: the handover summary was e-mailed to the project's people."),
        "success",
    )
    return redirect(url_for("golive.handover", project_id=project.id))


@bp.get("/projects/<int:project_id>/handover")
@login_required
def handover(project_id: int):
    """The handover summary: what was done, waived and left open, and who owns what in
    operations; printable."""
    project = load_project(project_id)
    return render_template(
        "golive/handover.html", project=project, summary=handover_summary(project)
    )
