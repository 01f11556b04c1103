"""The catalogue draft's pages (administrators): the draft's areas and rows, their forms,
moving and removing them, publishing the draft as the next version, discarding it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.boundary import refusals_shown_by
from tracker.catalogue.drafts import services
from tracker.catalogue.drafts.forms import AreaForm, RowForm, VersionForm
from tracker.catalogue.drafts.queries import recent_events, the_draft
from tracker.catalogue.queries import current_version
from tracker.errors import NotFound, Refusal
from tracker.loaders import require
from tracker.models import CatalogueDraft
from tracker.permissions import can_manage_catalogue

bp = Blueprint("catalogue_drafts", __name__)

KINDS = "any(area, row)"
DIRECTIONS = "any(up, down)"


def _draft() -> CatalogueDraft:
    require(can_manage_catalogue(current_user))
    draft = the_draft()
    if draft is None:
        raise NotFound(_("There is no catalogue draft."))
    return draft


def _to_draft(anchor: str | None = None):
    return redirect(url_for("catalogue_drafts.draft", _anchor=anchor))


@bp.route("/catalogue/draft")
@login_required
def draft():
    require(can_manage_catalogue(current_user))
    found = the_draft()
    form = VersionForm()
    if found is not None:
        form.version.data = str(found.version)
    return render_template(
        "catalogue/draft.html",
        draft=found,
        form=form,
        newest=current_version(),
        events=recent_events(),
    )


@bp.route("/catalogue/draft/start", methods=["POST"])
@login_required
def start():
    require(can_manage_catalogue(current_user))
    VersionForm().check()
    services.start_draft(actor=current_user)
    flash(_("Draft started from the newest version."), "success")
    return _to_draft()


@bp.route("/catalogue/draft/areas/new", methods=["GET", "POST"])
@bp.route("/catalogue/draft/areas/<key>", methods=["GET", "POST"])
@login_required
def area(key: str | None = None):
    draft = _draft()
    form = AreaForm()
    current = services.find_area(draft, key) if key is not None else None
    if current is not None:
        del form.key
    if request.method == "GET":
        form.version.data = str(draft.version)
        if current is not None:
            form.fill(current)
    refusals_shown_by(lambda refusal: _area_page(form, key, refusal))
    if request.method == "POST":
        form.check()
        services.save_area(
            draft,
            actor=current_user,
            version=form.read_version(),
            key=key,
            values=form.values(),
        )
        flash(_("Area saved."), "success")
        return _to_draft(f"area-{key or form.values()['key']}")
    return _area_page(form, key)


def _area_page(form: AreaForm, key: str | None, refusal: Refusal | None = None):
    if refusal is not None:
        form.show(refusal)
    return render_template("catalogue/draft_area.html", form=form, key=key)


@bp.route("/catalogue/draft/rows/new", methods=["GET", "POST"])
@bp.route("/catalogue/draft/rows/<key>", methods=["GET", "POST"])
@login_required
def row(key: str | None = None):
    draft = _draft()
    areas = draft.content["areas"]
    if not areas:
        raise NotFound(_("Add an area first."))
    row_keys = [r["key"] for a in areas for r in a["rows"] if r["key"] != key]
    form = RowForm(areas=areas, row_keys=row_keys)
    current = services.find_row(draft, key) if key is not None else None
    if current is not None:
        del form.key
    if request.method == "GET":
        form.version.data = str(draft.version)
        if current is not None:
            form.fill(current[0]["key"], current[1])
        else:
            chosen = request.args.get("area", "")
            form.area.data = chosen if chosen in {a["key"] for a in areas} else areas[-1]["key"]
    refusals_shown_by(lambda refusal: _row_page(form, key, refusal))
    if request.method == "POST":
        form.check()
        values = form.values()
        services.save_row(
            draft,
            actor=current_user,
            version=form.read_version(),
            area_key=form.area.data,
            key=key,
            values={name: value for name, value in values.items() if name != "key" or not key},
        )
        flash(_("Row saved."), "success")
        return _to_draft(f"row-{key or values['key']}")
    return _row_page(form, key)


def _row_page(form: RowForm, key: str | None, refusal: Refusal | None = None):
    if refusal is not None:
        form.show(refusal)
    return render_template("catalogue/draft_row.html", form=form, key=key)


@bp.route(f"/catalogue/draft/<{KINDS}:kind>/<key>/move/<{DIRECTIONS}:direction>", methods=["POST"])
@login_required
def move(kind: str, key: str, direction: str):
    draft = _draft()
    form = VersionForm()
    form.check()
    services.move(
        draft,
        actor=current_user,
        version=form.read_version(),
        kind=kind,
        key=key,
        direction=direction,
    )
    return _to_draft(f"{kind}-{key}")


@bp.route(f"/catalogue/draft/<{KINDS}:kind>/<key>/remove", methods=["POST"])
@login_required
def remove(kind: str, key: str):
    draft = _draft()
    form = VersionForm()
    form.check()
    services.remove(draft, actor=current_user, version=form.read_version(), kind=kind, key=key)
    flash(_("Area removed.") if kind == "area" else _("Row removed."), "success")
    return _to_draft()


@bp.route("/catalogue/draft/discard", methods=["POST"])
@login_required
def discard():
    draft = _draft()
    form = VersionForm()
    form.check()
    services.discard(draft, actor=current_user, version=form.read_version())
    flash(_("Draft discarded."), "success")
    return _to_draft()


@bp.route("/catalogue/draft/publish", methods=["GET", "POST"])
@login_required
def publish():
    """The changes publishing would make against the newest version, and the button that
    publishes; a draft the loader refuses is shown with the row and the field at fault."""
    draft = _draft()
    form = VersionForm()
    if request.method == "GET":
        form.version.data = str(draft.version)
    refusals_shown_by(lambda refusal: _publish_page(draft, form, refusal))
    if request.method == "POST":
        form.check()
        result = services.publish(draft, actor=current_user, version=form.read_version())
        flash(_("Version %(number)s published.", number=result.version.number), "success")
        return redirect(url_for("catalogue.browse"))
    return _publish_page(draft, form)


def _publish_page(draft: CatalogueDraft, form: VersionForm, refusal: Refusal | None = None):
    error = None
    if refusal is not None:
        error = refusal.message
    else:
        try:
            services.validated(draft)
        except Refusal as invalid:
            error = invalid.message
    return render_template(
        "catalogue/draft_publish.html",
        draft=draft,
        form=form,
        error=error,
        diff=services.preview(draft),
        newest=current_version(),
    )
