"""An item's page, and the two changes made from it (or in place, from the project page):
saving its status, assignee, due date or reason, and commenting (with a file, or not); an
item's row of the project page alone (compact, or with its editor open), which the page's
script asks for; and the item's files: attaching one, downloading one (checked like the item,
always as an attachment: tracker.files.downloads), removing and restoring one."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.audit.names import NO_NAMES
from tracker.audit.queries import project_events
from tracker.boundary import refusals_shown_by
from tracker.checklist.controls import ItemControls, item_prefix
from tracker.checklist.forms import AttachmentForm, CommentForm, DecisionForm, ItemUpdateForm
from tracker.checklist.queries import (
    comment_count,
    followed_item,
    item_comments,
    replacement_of,
)
from tracker.checklist.services import (
    add_comment,
    change_item,
    keep_open_against_rules,
    retire_against_rules,
)
from tracker.errors import Conflict, InvalidInput, NotFound, Refusal
from tracker.extensions import db
from tracker.files.downloads import download_response
from tracker.files.queries import attachment_count, item_attachments
from tracker.files.services import (
    attach_file,
    hide_attachment,
    require_may_see,
    restore_attachment,
)
from tracker.formatting import display_value
from tracker.loaders import load_item, load_project
from tracker.models import Attachment, ChecklistItem, Project
from tracker.notifications.queries import mention_candidates
from tracker.notifications.services import is_watching
from tracker.permissions import (
    can_attach_file,
    can_comment,
    can_edit_project,
    can_update_item,
    manages_project,
    sees_internal_comments,
)
from tracker.timeutil import today
from tracker.urls import safe_next

bp = Blueprint("checklist", __name__)

# The people the comment form offers to mention (the picker's API answers by name beyond).
MENTIONABLE_SHOWN = 30

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
    return item_page(project, load_item(project, item_id))


@bp.get("/projects/<int:project_id>/items/<int:item_id>/row")
@login_required
def row(project_id: int, item_id: int):
    """The item's row of the project page alone: compact, or with its editor open
    (``?editor=1``), returning to ``next`` (the project page as the reader left it)."""
    project = load_project(project_id)
    item = load_item(project, item_id)
    back = _back(request.args.get("next"), project)
    controls = ItemControls(current_user, project)
    return _row(project, item, controls, back, editor=request.args.get("editor") == "1")


@bp.post("/projects/<int:project_id>/items/<int:item_id>")
@login_required
def update(project_id: int, item_id: int):
    in_place = _in_place()  # the row alone, not a redirect (static/js/item-inplace.js)
    project = load_project(project_id, shown=False)
    item = load_item(project, item_id, may=can_update_item, shown=in_place)
    controls = ItemControls(current_user, project)
    form = ItemUpdateForm.posted(item, controls, request.form)
    back = _back(form.next.data, project)
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
    in_place = _in_place()  # the row alone, its editor open (static/js/item-inplace.js)
    project = load_project(project_id)
    item = load_item(project, item_id, may=can_comment, shown=in_place)
    form = CommentForm()
    back = safe_next(request.form.get("next"))  # a return address not on this site: none

    def refused(refusal: Refusal):
        form.show(refusal)
        if in_place:
            controls = ItemControls(current_user, project)
            return _row(
                project, item, controls, _back(back, project), editor=True,
                comment_form=form, result="invalid",
            )  # fmt: skip
        return item_page(project, item, comment_form=form)

    refusals_shown_by(refused)
    form.check()
    added = add_comment(item, actor=current_user, body=form.body.data, internal=form.internal.data)
    upload = form.file.data
    if upload and upload.filename:  # a file with the comment: refused, the comment is too
        attach_file(
            item, actor=current_user, filename=upload.filename, stream=upload.stream, comment=added
        )
    if in_place:
        controls = ItemControls(current_user, project)
        return _row(project, item, controls, _back(back, project), editor=True, result="commented")
    flash(_("Comment added."), "success")
    page = url_for("checklist.item", project_id=project.id, item_id=item_id)
    if back and urlsplit(back).path != page:
        return redirect(f"{back}#item-{item_id}")  # the project page, at the item's row
    return redirect((back or page) + "#comments")


@bp.post("/projects/<int:project_id>/items/<int:item_id>/decide")
@login_required
def decide(project_id: int, item_id: int):
    """The project page's items to decide (open, though their row no longer applies): the
    project's CSM marks one not applicable with the rule's reason, or keeps it open with a
    note. Back to the panel either way; a refusal is said there."""
    project = load_project(project_id, shown=False)
    item = load_item(project, item_id, may=_manages_project_of, shown=False)
    back = url_for("projects.detail", project_id=project.id) + "#to-decide"
    form = DecisionForm()

    def refused(refusal: Refusal):
        if isinstance(refusal, InvalidInput):
            errors = [error for field in form for error in field.errors]
            flash(errors[0] if errors else refusal.message, "error")
        else:
            flash(refusal.message, "error")
        return redirect(back)

    refusals_shown_by(refused)
    form.check()
    if form.decision.data == "retire":
        retire_against_rules(item, actor=current_user, version=form.version.data)
        flash(_("Item marked not applicable."), "success")
    else:
        keep_open_against_rules(
            item, actor=current_user, version=form.version.data, note=form.note.data
        )
        flash(_("Item kept open."), "success")
    return redirect(back)


def _manages_project_of(user, item: ChecklistItem) -> bool:
    return can_edit_project(user, item.project)


def _in_place() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _back(target: str | None, project: Project) -> str:
    """Where saving returns: ``target`` (a path on this site), else the project page."""
    return safe_next(target) or url_for("projects.detail", project_id=project.id)


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
        return item_page(project, item, form=form, controls=controls, conflict=refusal)
    if _in_place():
        return _row(project, item, controls, back, form=form, result="invalid")
    return item_page(project, item, form=form, controls=controls)


def item_page(
    project: Project,
    item: ChecklistItem,
    *,
    form: ItemUpdateForm | None = None,
    controls: ItemControls | None = None,
    comment_form: CommentForm | None = None,
    attachment_form: AttachmentForm | None = None,
    conflict: Conflict | None = None,
):
    controls = controls or ItemControls(current_user, project)
    internal = sees_internal_comments(current_user)
    files = item_attachments(
        item.id, internal=internal, hidden=manages_project(current_user, project)
    )
    # The checklist as the reader left it (the project page's address, with its filters),
    # and this page returning there: saving stays on the item.
    listed = _listed(project, item)
    here = url_for("checklist.item", project_id=project.id, item_id=item.id, next=listed)
    # The item this one took over from (its row passed to another party): its comments and
    # history go on here; and, for a closed item, the one that took over from it.
    replaced = item.replaces
    return render_template(
        "checklist/item.html",
        project=project,
        item=item,
        form=form,
        controls=controls,
        fields=controls.for_item(item, form),
        comments=item_comments(item.id, internal=internal),
        replaced=replaced,
        replaced_comments=item_comments(replaced.id, internal=internal) if replaced else [],
        replacement=None if item.is_open else replacement_of(item.id),
        followed=followed_item(item),
        comment_form=comment_form or CommentForm(formdata=None),
        files=files,
        may_attach=can_attach_file(current_user, item),
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        events=db.session.scalars(
            project_events(
                project.id,
                internal=internal,
                limit=None,
                item_id=[item.id, replaced.id] if replaced else item.id,
            )
        ).all(),
        event_names=NO_NAMES,
        conflict=_conflict_rows(conflict) if conflict else None,
        here=here,
        listed=listed,
        today=today(),
        watching=is_watching(current_user, item),
        mentionable=db.session.scalars(
            mention_candidates(project, clients=True).limit(MENTIONABLE_SHOWN)
        ).all(),
    )


def _listed(project: Project, item: ChecklistItem) -> str:
    """The checklist as the reader left it: the item page's ``?next=``; when a form was
    refused, the return address it posted (the project page's, or the item page's own, which
    carries it)."""
    if request.method == "GET":
        return _back(request.args.get("next"), project)
    posted = safe_next(request.form.get(f"{item_prefix(item)}next") or request.form.get("next"))
    page = url_for("checklist.item", project_id=project.id, item_id=item.id)
    if posted is not None and urlsplit(posted).path == page:
        return _listed_from(posted, project)
    return _back(posted, project)


def _listed_from(here: str, project: Project) -> str:
    """The checklist address an item page's own address (``?next=...``) carries."""
    return _back(parse_qs(urlsplit(here).query).get("next", [None])[0], project)


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
    comment_form: CommentForm | None = None,
    editor: bool = False,
    result: str = "shown",
):
    """The item's row of the project page: compact, or with its editor open (the full form,
    fresh or with ``form``'s values and errors, and the comments). The X-Item-Result header
    says "shown", "updated", "unchanged", "commented" or "invalid". A form refused opens
    the editor, where its errors are."""
    internal = sees_internal_comments(current_user)
    opened = _editor(item, controls, form, comment_form, internal) if editor or form else None
    html = render_template(
        "projects/_item_row.html",
        project=project,
        item=item,
        row=item.responsibility,
        area=item.responsibility.area,
        controls=controls,
        # The open editor lists the comments: counted from them, else in SQL.
        comment_count=(
            len(opened["comments"]) if opened else comment_count(item.id, internal=internal)
        ),
        file_count=attachment_count(item.id, internal=internal),
        editor=opened,
        next_url=back,
        today=today(),
    )
    return html, {"X-Item-Result": result, "Cache-Control": "no-store"}


def _editor(
    item: ChecklistItem,
    controls: ItemControls,
    form: ItemUpdateForm | None,
    comment_form: CommentForm | None,
    internal: bool,
) -> dict:
    """What an open editor shows: the item's full form (when the user may update it), its
    comments and the comment form (its input and errors after a refusal)."""
    posted = comment_form if comment_form is not None else CommentForm(formdata=None)
    return {
        "fields": controls.for_item(item, form),
        "form_errors": list(form.form_errors) if form is not None else [],
        "comments": item_comments(item.id, internal=internal),
        "may_comment": can_comment(current_user, item),
        "internal_allowed": internal,
        "comment": posted,
    }


# --- evidence files ---------------------------------------------------------------------


@bp.post("/projects/<int:project_id>/items/<int:item_id>/files")
@login_required
def attach_file_to_item(project_id: int, item_id: int):
    """Attach a file to the item; back to its page, which says what was wrong if refused."""
    project = load_project(project_id)
    item = load_item(project, item_id, may=can_attach_file)
    form = AttachmentForm()

    def refused(refusal: Refusal):
        form.show(refusal)
        return item_page(project, item, attachment_form=form)

    refusals_shown_by(refused)
    form.check()
    upload = form.file.data
    attached = attach_file(
        item,
        actor=current_user,
        filename=getattr(upload, "filename", None),
        stream=upload.stream if upload else None,
    )
    flash(_("File %(name)s attached.", name=attached.filename), "success")
    return redirect(url_for("checklist.item", project_id=project_id, item_id=item_id) + "#files")


def _load_file(project_id: int, item_id: int, attachment_id: int) -> Attachment:
    project = load_project(project_id, shown=False)
    item = load_item(project, item_id, shown=False)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.item_id != item.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return require_may_see(current_user, attachment)


@bp.get("/projects/<int:project_id>/items/<int:item_id>/files/<int:attachment_id>")
@login_required
def download_file(project_id: int, item_id: int, attachment_id: int):
    return download_response(_load_file(project_id, item_id, attachment_id))


@bp.post("/projects/<int:project_id>/items/<int:item_id>/files/<int:attachment_id>/hide")
@login_required
def hide_file(project_id: int, item_id: int, attachment_id: int):
    attachment = _load_file(project_id, item_id, attachment_id)
    hide_attachment(attachment, actor=current_user)
    flash(_("File %(name)s removed.", name=attachment.filename), "success")
    return redirect(url_for("checklist.item", project_id=project_id, item_id=item_id) + "#files")


@bp.post("/projects/<int:project_id>/items/<int:item_id>/files/<int:attachment_id>/restore")
@login_required
def restore_file(project_id: int, item_id: int, attachment_id: int):
    attachment = _load_file(project_id, item_id, attachment_id)
    restore_attachment(attachment, actor=current_user)
    flash(_("File %(name)s restored.", name=attachment.filename), "success")
    return redirect(url_for("checklist.item", project_id=project_id, item_id=item_id) + "#files")
