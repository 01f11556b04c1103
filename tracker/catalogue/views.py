"""The catalogue pages: every area and row of a version, the differences between two
versions (administrators and CSMs), and a version's YAML file (administrators)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.catalogue.diff import versions_diff
from tracker.catalogue.export import version_yaml
from tracker.catalogue.queries import (
    areas_select,
    version_or_newest,
    versions_select,
)
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.loaders import require
from tracker.permissions import can_manage_catalogue, can_view_catalogue
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


@bp.route("/catalogue/diff")
@login_required
def diff():
    """The differences from version ``from`` (default: the one before ``to``) to version
    ``to`` (default: the newest). A number that is not a version number is ignored, as on
    every page; one naming no version is not found."""
    require(can_view_catalogue(current_user))
    versions = db.session.scalars(versions_select()).all()  # newest first
    by_number = {version.number: version for version in versions}
    chosen = {name: int_arg(name) for name in ("from", "to")}
    if any(number is not None and number not in by_number for number in chosen.values()):
        raise NotFound(_("There is no such catalogue version."))
    page = {"versions": versions, "before": None, "after": None, "diff": None, "error": None}
    if not versions:
        return render_template("catalogue/diff.html", **page)
    after = by_number[chosen["to"]] if chosen["to"] else versions[0]
    before = (
        by_number[chosen["from"]]
        if chosen["from"]
        else next((v for v in versions if v.number < after.number), None)
    )
    page.update(before=before, after=after)
    if before is None:
        return render_template("catalogue/diff.html", **page)
    if before.number == after.number:
        page.update(error=_("Choose two different versions."))
        return render_template("catalogue/diff.html", **page), 422
    page.update(diff=versions_diff(before, after))
    return render_template("catalogue/diff.html", **page)


@bp.route("/catalogue/export.yaml")
@login_required
def export_yaml():
    """Version ``version`` (default: the newest) as the YAML file `catalogue load` reads."""
    require(can_manage_catalogue(current_user))
    number = int_arg("version")
    version = version_or_newest(number)
    if version is None:
        raise NotFound(_("There is no such catalogue version."))
    return current_app.response_class(
        version_yaml(version),
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="catalogue-version-{version.number}.yaml"'
        },
    )
