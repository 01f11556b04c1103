"""An item's files on the web: attaching one, downloading one, removing and restoring one.

Downloads are checked like the item (another customer's user gets 404; a client never gets
the file of an internal comment) and always served as an attachment, with headers that keep
a browser from rendering or sniffing it: no file is ever shown inline.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.boundary import refusals_shown_by
from tracker.checklist.forms import AttachmentForm
from tracker.checklist.views import item_page
from tracker.errors import NotFound, Refusal
from tracker.extensions import db
from tracker.files.services import attach_file, hide_attachment, require_may_see, restore_attachment
from tracker.files.storage import storage
from tracker.loaders import load_item, load_project
from tracker.models import Attachment
from tracker.permissions import can_attach_file

bp = Blueprint("files", __name__)

# A downloaded file may load nothing, run nothing and be framed nowhere, should a browser
# ever render it despite the attachment disposition.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


@bp.post("/projects/<int:project_id>/items/<int:item_id>/files")
@login_required
def attach(project_id: int, item_id: int):
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


def _load(project_id: int, item_id: int, attachment_id: int) -> Attachment:
    project = load_project(project_id, shown=False)
    item = load_item(project, item_id, shown=False)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.item_id != item.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return require_may_see(current_user, attachment)


@bp.get("/projects/<int:project_id>/items/<int:item_id>/files/<int:attachment_id>")
@login_required
def download(project_id: int, item_id: int, attachment_id: int):
    return download_response(_load(project_id, item_id, attachment_id))


@bp.post("/projects/<int:project_id>/items/<int:item_id>/files/<int:attachment_id>/hide")
@login_required
def hide(project_id: int, item_id: int, attachment_id: int):
    attachment = _load(project_id, item_id, attachment_id)
    hide_attachment(attachment, actor=current_user)
    flash(_("File %(name)s removed.", name=attachment.filename), "success")
    return redirect(url_for("checklist.item", project_id=project_id, item_id=item_id) + "#files")


@bp.post("/projects/<int:project_id>/items/<int:item_id>/files/<int:attachment_id>/restore")
@login_required
def restore(project_id: int, item_id: int, attachment_id: int):
    attachment = _load(project_id, item_id, attachment_id)
    restore_attachment(attachment, actor=current_user)
    flash(_("File %(name)s restored.", name=attachment.filename), "success")
    return redirect(url_for("checklist.item", project_id=project_id, item_id=item_id) + "#files")


def content_disposition(filename: str) -> str:
    """``attachment`` with the name in ASCII (others replaced) and in RFC 5987's UTF-8 form."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(attachment: Attachment) -> Response:
    """The file, streamed from the store as an attachment (never inline), with its type as
    checked on upload and the download's own restrictive headers."""
    try:
        chunks = storage().chunks(attachment.storage_key)
    except KeyError:
        raise NotFound(_("This file is missing from the file store.")) from None
    response = Response(chunks, mimetype=None, content_type=attachment.content_type)
    response.headers["Content-Length"] = str(attachment.size)
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response
