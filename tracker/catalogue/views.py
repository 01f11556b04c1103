"""The catalogue page: every area and row of a version, for administrators."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.catalogue.queries import areas_select, versions_select
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.loaders import require
from tracker.permissions import can_view_catalogue
from tracker.queryargs import int_arg

bp = Blueprint("catalogue", __name__)


@bp.route("/catalogue")
@login_required
def browse():
    require(can_view_catalogue(current_user))
    versions = db.session.scalars(versions_select()).all()
    number = int_arg("version")
    if number is None:
        version = versions[0] if versions else None
    else:
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            raise NotFound(_("There is no such catalogue version."))
    areas = db.session.scalars(areas_select(version.id)).all() if version is not None else []
    return render_template("catalogue/browse.html", versions=versions, version=version, areas=areas)
