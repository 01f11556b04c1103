"""Where attached files' bytes live: one small interface, two stores.

- ``LocalStorage``: a folder on the local disk (``instance/files`` by default);
- ``S3Storage``: any S3-compatible store, for installations with several app servers
  (``STORAGE_URL=s3://bucket/prefix``, with the usual AWS_ENDPOINT_URL_S3,
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION variables).

Keys are random names made by the tracker (``new_key``), never a name a person gave. Both
stores stream: a file is copied in chunks, never read whole into memory. Nothing is ever
deleted: removing a file in the tracker only hides it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app

CHUNK = 256 * 1024


def new_key() -> str:
    """A fresh random key for a file: 128 bits, hex, in a two-letter folder."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


class Storage(Protocol):
    def put(self, key: str, stream: BinaryIO, *, size: int, content_type: str) -> None:
        """Store ``stream`` (read from its current position to its end) under ``key``."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The file under ``key``, in chunks (``KeyError`` when there is none)."""

    def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files in a folder of the local disk."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise KeyError(key)  # keys are ours; a key naming a place outside is no key
        return path

    def put(self, key: str, stream: BinaryIO, *, size: int, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with open(partial, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        partial.replace(path)  # a crash leaves a .part, never half a file under the key

    def chunks(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise KeyError(key)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator

        def read() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3Storage:
    """Files in a bucket of an S3-compatible store, under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", client=None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if client is None:
            import boto3  # only installations with an S3 store need it loaded

            client = boto3.client("s3")  # endpoint, keys and region from the environment
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, stream: BinaryIO, *, size: int, content_type: str) -> None:
        # upload_fileobj sends large files in parts, reading one part at a time.
        self.client.upload_fileobj(
            stream, self.bucket, self._key(key), ExtraArgs={"ContentType": content_type}
        )

    def chunks(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except ClientError as error:
            raise KeyError(key) from error

        def read() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True


def storage_from_url(url: str | None, instance_path: str) -> Storage:
    """The store a ``STORAGE_URL`` names: ``s3://bucket/prefix``, ``file:///a/folder`` or a
    plain folder; none means ``files/`` in the instance folder."""
    if not url:
        return LocalStorage(Path(instance_path) / "files")
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("STORAGE_URL must name a bucket: s3://bucket/prefix")
        return S3Storage(parts.netloc, parts.path)
    if parts.scheme == "file":
        return LocalStorage(parts.path)
    if parts.scheme == "":
        return LocalStorage(url)
    raise ValueError("STORAGE_URL must be s3://bucket/prefix or a folder")


def init_app(app: Flask) -> None:
    """Give ``app`` its file store (``app.extensions["file_storage"]``), made once, and a
    request size limit a little above MAX_UPLOAD_MB (the form around the file), unless
    MAX_CONTENT_LENGTH is set: larger requests are refused (413) before they are read."""
    limit = int(app.config.get("MAX_UPLOAD_MB") or 25)
    app.config["MAX_UPLOAD_MB"] = limit
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = (limit + 1) * 1024 * 1024
    app.extensions["file_storage"] = storage_from_url(
        app.config.get("STORAGE_URL"), app.instance_path
    )


def storage() -> Storage:
    """The current application's file store."""
    return current_app.extensions["file_storage"]
