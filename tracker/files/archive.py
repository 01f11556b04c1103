"""The attached files' companion archive of ``export-data``/``import-data``: a ZIP holding
each attached file's bytes under its storage key (``files/<key>``), so that a move to another
installation (another disk, another S3 bucket) keeps them. The JSON export carries the
``attachments`` rows; this archive carries what they point to. Files are copied in chunks,
never read whole into memory."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from tracker.extensions import db
from tracker.files.queries import every_attachment
from tracker.files.storage import CHUNK, storage

PREFIX = "files/"


class ArchiveError(ValueError):
    """An archive that does not go with the imported data."""


@dataclass(frozen=True)
class Copied:
    files: int
    missing: list[str]  # storage keys with no file in the store (export) or archive (import)


def export_files(out: BinaryIO) -> Copied:
    """Write every attached file (removed ones too: they can be restored) to a ZIP."""
    missing = []
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key in (a.storage_key for a in db.session.scalars(every_attachment())):
            try:
                chunks = storage().chunks(key)
            except KeyError:
                missing.append(key)
                continue
            with archive.open(PREFIX + key, "w", force_zip64=True) as entry:
                for chunk in chunks:
                    entry.write(chunk)
            count += 1
    return Copied(count, missing)


def import_files(source: BinaryIO) -> Copied:
    """Put the archive's files into this installation's store, each checked against its
    ``attachments`` row (already imported): its size and SHA-256. An entry no row names is
    refused (``ArchiveError``): the archive is not this data's."""
    rows = {a.storage_key: a for a in db.session.scalars(every_attachment())}
    count = 0
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            key = info.filename.removeprefix(PREFIX)
            attachment = rows.get(key)
            if not info.filename.startswith(PREFIX) or attachment is None:
                raise ArchiveError(f"{info.filename} is no attached file of the imported data")
            with archive.open(info) as entry:
                digest = hashlib.sha256()
                while chunk := entry.read(CHUNK):
                    digest.update(chunk)
            if info.file_size != attachment.size or digest.hexdigest() != attachment.sha256:
                raise ArchiveError(f"{info.filename} is not the file its row describes")
            with archive.open(info) as entry:
                storage().put(
                    key, entry, size=attachment.size, content_type=attachment.content_type
                )
            count += 1
    missing = [key for key in rows if not storage().exists(key)]
    return Copied(count, missing)
