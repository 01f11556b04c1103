"""Which files may be attached: a type allow-list, checked on the name's extension AND on the
content (its first bytes, read by the ``filetype`` library): a file whose content is not what
its name says is refused, so that nothing else (HTML, SVG, a program) gets in under a
harmless name."""

from __future__ import annotations

from dataclasses import dataclass

import filetype

_ZIP = "application/zip"
_OLE = frozenset(
    {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
)
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: the type it is served as, and the types its content may be
    sniffed as (None: text, which has no magic bytes)."""

    content_type: str
    sniffed: frozenset[str] | None


def _office(content_type: str) -> FileType:
    # Office Open XML and OpenDocument files are ZIP archives; the library names the
    # document type when it finds its marker in the archive, else a ZIP.
    return FileType(content_type, frozenset({content_type, _ZIP}))


ALLOWED: dict[str, FileType] = {
    "pdf": FileType("application/pdf", frozenset({"application/pdf"})),
    "png": FileType("image/png", frozenset({"image/png", "image/apng"})),
    "jpg": FileType("image/jpeg", frozenset({"image/jpeg"})),
    "jpeg": FileType("image/jpeg", frozenset({"image/jpeg"})),
    "gif": FileType("image/gif", frozenset({"image/gif"})),
    "webp": FileType("image/webp", frozenset({"image/webp"})),
    "doc": FileType("application/msword", _OLE),
    "xls": FileType("application/vnd.ms-excel", _OLE),
    "ppt": FileType("application/vnd.ms-powerpoint", _OLE),
    "docx": _office(_OOXML + "wordprocessingml.document"),
    "xlsx": _office(_OOXML + "spreadsheetml.sheet"),
    "pptx": _office(_OOXML + "presentationml.presentation"),
    "odt": _office(_ODF + "text"),
    "ods": _office(_ODF + "spreadsheet"),
    "odp": _office(_ODF + "presentation"),
    "txt": FileType("text/plain; charset=utf-8", None),
    "csv": FileType("text/csv; charset=utf-8", None),
    "zip": FileType(_ZIP, frozenset({_ZIP})),
}

# The first bytes read to tell a file's type.
HEAD_BYTES = 8192


def extension_of(filename: str) -> str:
    """The lower-case extension of ``filename`` ("" when it has none)."""
    base, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and base else ""


def _is_text(head: bytes) -> bool:
    """Text: no NUL byte, and UTF-8 (a character cut at the end of ``head`` allowed)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def type_of(filename: str, head: bytes) -> FileType | None:
    """The accepted type of a file named ``filename`` starting with ``head``, or None when
    its extension is not on the list or its content is not what the extension says."""
    accepted = ALLOWED.get(extension_of(filename))
    if accepted is None:
        return None
    sniffed = filetype.guess_mime(head) if head else None
    if accepted.sniffed is None:
        return accepted if sniffed is None and _is_text(head) else None
    if sniffed is None and accepted.content_type == _ZIP and head.startswith(b"PK\x05\x06"):
        return accepted  # an empty ZIP archive
    return accepted if sniffed in accepted.sniffed else None


def allowed_extensions() -> list[str]:
    return sorted(ALLOWED)
