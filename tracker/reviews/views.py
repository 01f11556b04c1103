"""Marking a standing responsibility's review done (the project page lists them)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.errors import NotFound
from tracker.forms import TrackerForm
from tracker.loaders import load_project
from tracker.reviews.queries import review_of_project
from tracker.reviews.services import mark_review_done

bp = Blueprint("reviews", __name__)


@bp.route("/projects/<int:project_id>/reviews/<int:review_id>/done", methods=["POST"])
@login_required
def done(project_id: int, review_id: int):
    project = load_project(project_id, shown=False)
    review = review_of_project(project.id, review_id)
    if review is None:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if TrackerForm().validate() and mark_review_done(review, actor=current_user):
        flash(_("Review marked done."), "success")
    return redirect(url_for("projects.detail", project_id=project.id) + "#standing")
