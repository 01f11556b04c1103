"""The evidence files' use cases: attaching a file to an item (or to a comment), hiding it
and restoring it. Each takes the acting user, checks the permissions and rules itself,
records an event in the project's history, flushes and never commits.

A file is checked completely (size, name, type by extension and content) before a byte of
it goes to the store: a refused file stores nothing. A file stored whose transaction then
fails stays in the store, unreferenced (the store never deletes).
"""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from tracker.audit import services as audit
from tracker.boundary import flush
from tracker.errors import NotAllowed, NotFound, RuleBroken
from tracker.extensions import db
from tracker.files import rules
from tracker.files.storage import new_key, storage
from tracker.models import Attachment, ChecklistItem, Comment, User
from tracker.permissions import (
    can_attach_file,
    can_hide_attachment,
    can_restore_attachment,
    can_see_attachment,
)
from tracker.timeutil import utcnow

MAX_FILENAME_LENGTH = 255


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def display_name(filename: str | None) -> str:
    """The name a file is shown with: its last path part (a browser may send a whole path),
    without control characters; never used as a path (the store's key is random)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name


def _size_of(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(256 * 1024):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def require_may_attach(actor: User, item: ChecklistItem) -> None:
    """``NotAllowed`` unless ``actor`` may attach files to ``item``: for a door that must
    refuse before it reads the upload (the API)."""
    if not can_attach_file(actor, item):
        raise NotAllowed(_("You may not attach files to this item."))


def attach_file(
    item: ChecklistItem,
    *,
    actor: User,
    filename: str | None,
    stream: BinaryIO,
    comment: Comment | None = None,
) -> Attachment:
    """``actor`` attaches the file ``stream`` (seekable: a spooled upload), called
    ``filename``, to ``item`` (and to ``comment``, one of its comments, whose internal flag
    it takes). Refused, with nothing stored: a file too large, empty, with no name or a name
    too long, of a type not on the list, or whose content is not what its name says."""
    require_may_attach(actor, item)
    if comment is not None and comment.item_id != item.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    name = display_name(filename)
    if not name:
        raise RuleBroken("file", _("Choose a file to attach."))
    if len(name) > MAX_FILENAME_LENGTH:
        raise RuleBroken(
            "file", _("A file name is limited to %(num)d characters.", num=MAX_FILENAME_LENGTH)
        )
    size = _size_of(stream)
    if size == 0:
        raise RuleBroken("file", _("The file %(name)s is empty.", name=name))
    if size > max_upload_bytes():
        raise RuleBroken(
            "file",
            _(
                "The file %(name)s is larger than %(num)d MB: it was not attached.",
                name=name,
                num=current_app.config["MAX_UPLOAD_MB"],
            ),
        )
    kind = rules.type_of(name, stream.read(rules.HEAD_BYTES))
    stream.seek(0)
    if kind is None:
        raise RuleBroken(
            "file",
            _(
                "%(name)s cannot be attached: accepted are PDF, images, office documents, "
                "text, CSV and ZIP files (%(extensions)s), whose content matches their name.",
                name=name,
                extensions=", ".join(rules.allowed_extensions()),
            ),
        )
    digest = _sha256(stream)
    key = new_key()
    storage().put(key, stream, size=size, content_type=kind.content_type)
    attachment = Attachment(
        item_id=item.id,
        comment_id=comment.id if comment is not None else None,
        uploader_id=actor.id,
        filename=name,
        content_type=kind.content_type,
        size=size,
        sha256=digest,
        storage_key=key,
        internal=bool(comment is not None and comment.internal),
    )
    db.session.add(attachment)
    flush()
    audit.record(
        "item.file_attached",
        project_id=item.project_id,
        item_id=item.id,
        actor_id=actor.id,
        field="file",
        new=name,
        params={"attachment": attachment.id, "size": size},
        internal=attachment.internal,
    )
    flush()
    return attachment


def hide_attachment(attachment: Attachment, *, actor: User) -> None:
    """Remove a file from view (its uploader or the project's CSM): recorded, restorable,
    and the store keeps it."""
    if not can_hide_attachment(actor, attachment):
        raise NotAllowed(_("You may not remove this file."))
    if attachment.is_hidden:
        return
    attachment.hidden_at = utcnow()
    attachment.hidden_by_id = actor.id
    _record(attachment, "item.file_hidden", actor)


def restore_attachment(attachment: Attachment, *, actor: User) -> None:
    """Show a removed file again: the project's CSM (or an administrator) may."""
    if not can_restore_attachment(actor, attachment):
        raise NotAllowed(_("You may not restore this file."))
    if not attachment.is_hidden:
        return
    attachment.hidden_at = None
    attachment.hidden_by_id = None
    _record(attachment, "item.file_restored", actor)


def _record(attachment: Attachment, action: str, actor: User) -> None:
    audit.record(
        action,
        project_id=attachment.item.project_id,
        item_id=attachment.item_id,
        actor_id=actor.id,
        field="file",
        new=attachment.filename,
        params={"attachment": attachment.id},
        internal=attachment.internal,
    )
    flush()


def require_may_see(actor: User, attachment: Attachment | None) -> Attachment:
    """The attachment, if ``actor`` may see it; ``NotFound`` otherwise (the same answer
    whether it exists or not)."""
    if attachment is None or not can_see_attachment(actor, attachment):
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return attachment
