"""An item's page, and the two changes made from it (or in place, from the project page):
saving its status, assignee, due date or reason, and commenting."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.audit.names import NO_NAMES
from tracker.audit.queries import project_events
from tracker.boundary import refusals_shown_by
from tracker.checklist.controls import ItemControls
from tracker.checklist.forms import CommentForm, ItemUpdateForm
from tracker.checklist.services import add_comment, change_item
from tracker.errors import Conflict, Refusal
from tracker.extensions import db
from tracker.formatting import display_value
from tracker.loaders import load_item, load_project
from tracker.models import ChecklistItem, Project
from tracker.permissions import can_comment, can_update_item
from tracker.timeutil import today
from tracker.urls import safe_next

bp = Blueprint("checklist", __name__)

# The fields a conflict can show, as the item's form names them.
_LABELS = {
    "status": _l("Status"),
    "assignee": _l("Assignee"),
    "due_date": _l("Due date"),
    "reason": _l("Reason"),
}


@bp.get("/projects/<int:project_id>/items/<int:item_id>")
@login_required
def item(project_id: int, item_id: int):
    project = load_project(project_id)
    return _item_page(project, load_item(project, item_id))


@bp.post("/projects/<int:project_id>/items/<int:item_id>")
@login_required
def update(project_id: int, item_id: int):
    in_place = _in_place()  # the row alone, not a redirect (static/js/item-inplace.js)
    project = load_project(project_id, shown=False)
    item = load_item(project, item_id, may=can_update_item, shown=in_place)
    controls = ItemControls(current_user, project)
    form = ItemUpdateForm.posted(item, controls, request.form)
    back = safe_next(form.next.data) or url_for("projects.detail", project_id=project.id)
    refusals_shown_by(lambda refusal: _refused(project, item, controls, form, back, refusal))
    form.check()
    changed = change_item(item, form.change(), actor=current_user, version=form.version.data)
    if in_place:
        return _row(project, item, controls, back, result="updated" if changed else "unchanged")
    flash(*((_("Item updated."), "success") if changed else (_("Nothing changed."), "info")))
    return redirect(f"{back}#item-{item_id}")  # item_id: the item is expired by the commit


@bp.post("/projects/<int:project_id>/items/<int:item_id>/comments")
@login_required
def comment(project_id: int, item_id: int):
    project = load_project(project_id)
    item = load_item(project, item_id, may=can_comment)
    form = CommentForm()

    def refused(refusal: Refusal):
        form.show(refusal)
        return _item_page(project, item, comment_form=form)

    refusals_shown_by(refused)
    form.check()
    add_comment(item, actor=current_user, body=form.body.data)
    flash(_("Comment added."), "success")
    return redirect(url_for("checklist.item", project_id=project.id, item_id=item.id) + "#comments")


def _in_place() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _refused(
    project: Project,
    item: ChecklistItem,
    controls: ItemControls,
    form: ItemUpdateForm,
    back: str,
    refusal: Refusal,
):
    """An item change refused (the transaction rolled back): the item page with the form as
    sent and the error, or the row alone for an in-place save. A conflict shows what the
    save would overwrite, on the item page (an in-place save falls back to it)."""
    form.show(refusal)
    if isinstance(refusal, Conflict):
        form.form_errors.append(
            _("Your input is kept in the form; saving again applies it over theirs.")
        )
        form.version.raw_data = None
        form.version.data = item.version  # saving again is based on what is saved now
        return _item_page(project, item, form=form, controls=controls, conflict=refusal)
    if _in_place():
        return _row(project, item, controls, back, form=form, result="invalid")
    return _item_page(project, item, form=form, controls=controls)


def _item_page(
    project: Project,
    item: ChecklistItem,
    *,
    form: ItemUpdateForm | None = None,
    controls: ItemControls | None = None,
    comment_form: CommentForm | None = None,
    conflict: Conflict | None = None,
):
    controls = controls or ItemControls(current_user, project)
    return render_template(
        "checklist/item.html",
        project=project,
        item=item,
        form=form,
        controls=controls,
        fields=controls.for_item(item, form),
        comment_form=comment_form or CommentForm(formdata=None),
        events=db.session.scalars(project_events(project.id, limit=None, item_id=item.id)).all(),
        event_names=NO_NAMES,
        conflict=_conflict_rows(conflict) if conflict else None,
        today=today(),
    )


def _conflict_rows(conflict: Conflict) -> list[tuple[str, str, str]]:
    """(field, saved now, your input) for each field the refused save would overwrite."""
    return [
        (str(_LABELS[change.field]), display_value(change.saved), display_value(change.sent))
        for change in conflict.changes
        if change.field in _LABELS
    ]


def _row(
    project: Project,
    item: ChecklistItem,
    controls: ItemControls,
    back: str,
    *,
    form: ItemUpdateForm | None = None,
    result: str,
):
    """The item's row of the project page, with its update controls (fresh, or ``form``'s
    values and errors); the X-Item-Result header says "updated", "unchanged" or "invalid"."""
    html = render_template(
        "projects/_item_row.html",
        project=project,
        item=item,
        row=item.responsibility,
        controls=controls,
        fields=controls.for_item(item, form),
        next_url=back,
        today=today(),
    )
    return html, {"X-Item-Result": result, "Cache-Control": "no-store"}
