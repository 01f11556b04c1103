"""Serving an attached file: streamed from the store, always as an attachment, with headers
that keep a browser from rendering or sniffing it (no file is ever shown inline), for the
web pages and the API alike."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask_babel import gettext as _

from tracker.errors import NotFound
from tracker.files.storage import storage
from tracker.models import Attachment

# A downloaded file may load nothing, run nothing and be framed nowhere, should a browser
# ever render it despite the attachment disposition.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


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
