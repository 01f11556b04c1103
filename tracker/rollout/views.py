"""A project's move to a newer catalogue version: the preview, then applying it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.boundary import refusals_shown_by
from tracker.catalogue.queries import current_version, version_numbered
from tracker.errors import Conflict, NotFound, Refusal
from tracker.extensions import db
from tracker.loaders import load_project
from tracker.models import CatalogueVersion, Project
from tracker.permissions import can_edit_project
from tracker.queryargs import MAX_INT
from tracker.rollout.forms import ApplyRolloutForm
from tracker.rollout.plan import plan_rollout
from tracker.rollout.services import apply_rollout, check_rollout
from tracker.wording import reason_text, row_changes_text

bp = Blueprint("rollout", __name__)


def _target(number: int | None) -> CatalogueVersion:
    version = (
        db.session.scalar(version_numbered(number))
        if number is not None and 0 < number <= MAX_INT
        else (current_version() if number is None else None)
    )
    if version is None:
        raise NotFound(_("There is no such catalogue version."))
    return version


def _preview(project: Project, target: CatalogueVersion, form: ApplyRolloutForm, status=200):
    check_rollout(project, target, actor=current_user)
    plan = plan_rollout(project, target)
    form.to.data = target.number
    form.version.data = project.version
    return (
        render_template(
            "rollout/preview.html",
            project=project,
            plan=plan,
            form=form,
            reason_text=reason_text,
            row_changes_text=row_changes_text,
        ),
        status,
    )


@bp.get("/projects/<int:project_id>/catalogue-upgrade")
@login_required
def preview(project_id: int):
    """What moving the project to a newer catalogue version (?to=N, default the newest)
    would do to each of its items, before anything is written."""
    project = load_project(project_id, may=can_edit_project)
    target = _target(request.args.get("to", type=int))
    if "to" in request.args and request.args.get("to", type=int) is None:
        raise NotFound(_("There is no such catalogue version."))
    return _preview(project, target, ApplyRolloutForm(formdata=None))


@bp.post("/projects/<int:project_id>/catalogue-upgrade")
@login_required
def apply(project_id: int):
    project = load_project(project_id, may=can_edit_project)
    form = ApplyRolloutForm()

    def refused(refusal: Refusal):
        flash(refusal.message, "error")
        if isinstance(refusal, Conflict) and form.to.data:  # the preview as it is now
            return redirect(url_for("rollout.preview", project_id=project_id, to=form.to.data))
        return redirect(url_for("projects.detail", project_id=project_id))

    refusals_shown_by(refused)
    form.check()
    target = _target(form.to.data)
    plan = apply_rollout(project, target, actor=current_user, version=form.version.data)
    counts = plan.counts()
    flash(
        _(
            "The project now follows catalogue version %(number)s: %(added)s items added, "
            "%(retired)s retired, %(changed)s changed.",
            number=target.number,
            added=counts["add"],
            retired=counts["retire"],
            changed=counts["changed"],
        ),
        "success",
    )
    return redirect(url_for("projects.detail", project_id=project.id))
