from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker.catalogue.models import Area, CatalogueVersion
from tracker.extensions import db
from tracker.permissions import can_view_catalogue
from tracker.queryargs import int_arg

bp = Blueprint("catalogue", __name__)


@bp.route("/catalogue")
@login_required
def browse():
    if not can_view_catalogue(current_user):
        abort(403)
    versions = db.session.scalars(
        sa.select(CatalogueVersion).order_by(CatalogueVersion.number.desc())
    ).all()
    number = int_arg("version")
    if number is None:
        version = versions[0] if versions else None
    else:
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            abort(404)
    areas = []
    if version is not None:
        areas = db.session.scalars(
            sa.select(Area)
            .where(Area.version_id == version.id)
            .options(selectinload(Area.responsibilities))
            .order_by(Area.position)
        ).all()
    return render_template("catalogue/browse.html", versions=versions, version=version, areas=areas)
