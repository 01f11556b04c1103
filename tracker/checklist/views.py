from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.models import User
from tracker.auth.views import safe_next
from tracker.checklist.controls import ItemControls
from tracker.checklist.forms import CommentForm, ItemUpdateForm
from tracker.checklist.models import ChecklistItem
from tracker.checklist.services import add_comment, item_changes, update_item
from tracker.enums import Status
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.loaders import get_item_or_404, get_project_or_404
from tracker.permissions import can_comment, can_update_item
from tracker.projects.models import Project
from tracker.projects.queries import project_events
from tracker.templating import format_date
from tracker.timeutil import today

bp = Blueprint("checklist", __name__)


def _controls(project: Project) -> ItemControls:
    """The update controls the current user gets for the project's items."""
    return ItemControls(current_user, project)


def _render_item(
    project: Project,
    item: ChecklistItem,
    *,
    form: ItemUpdateForm | None = None,
    controls: ItemControls | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
    conflict: bool = False,
):
    controls = controls or _controls(project)
    return render_template(
        "checklist/item.html",
        project=project,
        item=item,
        form=form,
        controls=controls,
        fields=controls.for_item(item, form),
        comment_form=comment_form or CommentForm(formdata=None),
        events=db.session.scalars(project_events(project, limit=None, item_id=item.id)).all(),
        conflict=conflict,
        today=today(),
    ), status


def _wants_row() -> bool:
    """The project page's in-place update (static/js/item-inplace.js) asks for the item's row
    alone instead of a redirect."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _render_row(
    project: Project,
    item: ChecklistItem,
    next_url: str,
    *,
    form: ItemUpdateForm | None = None,
    controls: ItemControls | None = None,
    status: int = 200,
    result: str = "updated",
):
    """The item's row of the project page, with its update controls (fresh, or ``form``'s
    values and errors); the X-Item-Result header says "updated", "unchanged" or "invalid"."""
    controls = controls or _controls(project)
    html = render_template(
        "projects/_item_row.html",
        project=project,
        item=item,
        row=item.responsibility,
        controls=controls,
        fields=controls.for_item(item, form),
        next_url=next_url,
        today=today(),
    )
    return html, status, {"X-Item-Result": result, "Cache-Control": "no-store"}


def _conflict_rows(item: ChecklistItem, changes: dict) -> list[tuple[str, str, str]]:
    """(field, saved now, your input) for each field the user's save would overwrite."""

    def show(value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, Status):
            return str(value.label)
        if isinstance(value, User):
            return value.name
        if isinstance(value, date):
            return format_date(value)
        return str(value)

    return [
        (label, show(saved), show(yours))
        for field, label, saved, yours in (
            ("status", _("Status"), item.status, changes["status"]),
            ("assignee", _("Assignee"), item.assignee, changes["assignee"]),
            ("due_date", _("Due date"), item.due_date, changes["due_date"]),
            ("reason", _("Reason"), item.reason, (changes["reason"] or "").strip() or None),
        )
        if field in item_changes(item, **changes)
    ]


@bp.route("/projects/<int:project_id>/items/<int:item_id>")
@login_required
def item(project_id: int, item_id: int):
    project = get_project_or_404(project_id)
    return _render_item(project, get_item_or_404(project, item_id))


@bp.route("/projects/<int:project_id>/items/<int:item_id>", methods=["POST"])
@login_required
def update(project_id: int, item_id: int):
    project = get_project_or_404(project_id, shown=False)
    # The in-place save answers with the item's row, which shows its catalogue row.
    item = get_item_or_404(project, item_id, shown=_wants_row())
    if not can_update_item(current_user, item):
        abort(403)
    controls = _controls(project)
    form = ItemUpdateForm.posted(item, controls, request.form)
    if not form.validate():
        if _wants_row():
            back = safe_next(form.next.data) or url_for("projects.detail", project_id=project.id)
            return _render_row(
                project, item, back, form=form, controls=controls, status=422, result="invalid"
            )
        return _render_item(project, item, form=form, controls=controls, status=422)
    assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    changes = {
        "status": Status(form.status.data),
        "reason": form.reason.data,
        "assignee": assignee,
        "due_date": form.due_date.data if "due_date" in form else None,
    }
    back = safe_next(form.next.data) or url_for("projects.detail", project_id=project.id)
    if not item_changes(item, **changes):
        if _wants_row():
            return _render_row(project, item, back, controls=controls, result="unchanged")
        flash(_("Nothing changed."), "info")
        return redirect(f"{back}#item-{item.id}")
    if form.version.data != item.version:
        form.form_errors.append(
            _(
                "Someone else changed this item after you loaded it. Your input is kept in the "
                "form; saving again applies it over theirs."
            )
        )
        form.version.raw_data = None
        form.version.data = item.version
        return _render_item(
            project,
            item,
            form=form,
            controls=controls,
            status=409,
            conflict=_conflict_rows(item, changes),
        )
    try:
        update_item(item, actor=current_user, **changes)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        getattr(form, error.field, form.status).errors.append(error.message)
        if _wants_row():
            item = db.session.get(ChecklistItem, item_id)
            return _render_row(
                project, item, back, form=form, controls=controls, status=422, result="invalid"
            )
        item = db.session.get(ChecklistItem, item_id)
        return _render_item(project, item, form=form, controls=controls, status=422)
    except StaleDataError:
        db.session.rollback()
        form.form_errors.append(_("Someone else saved this item at the same moment. Try again."))
        item = db.session.get(ChecklistItem, item_id)
        return _render_item(project, item, form=form, controls=controls, status=409, conflict=True)
    if _wants_row():
        return _render_row(project, item, back, controls=controls)
    flash(_("Item updated."), "success")
    return redirect(f"{back}#item-{item_id}")  # item_id: the item is expired by the commit


@bp.route("/projects/<int:project_id>/items/<int:item_id>/comments", methods=["POST"])
@login_required
def comment(project_id: int, item_id: int):
    project = get_project_or_404(project_id)
    item = get_item_or_404(project, item_id)
    if not can_comment(current_user, item):
        abort(403)
    form = CommentForm()
    if form.validate():
        try:
            add_comment(item, actor=current_user, body=form.body.data)
        except RuleError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Comment added."), "success")
            return redirect(
                url_for("checklist.item", project_id=project.id, item_id=item.id) + "#comments"
            )
    return _render_item(project, item, comment_form=form, status=422)
