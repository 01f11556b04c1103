"""The S3 file store, against a real S3-compatible server running locally: moto's standalone
server (``moto_server``, from requirements.txt), started once for the session on a free port.
The store is configured as an installation would configure it: ``STORAGE_URL=s3://...`` and
the AWS_* variables."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import CLIENT_ROW, World
from tracker.enums import Party
from tracker.extensions import db
from tracker.files.storage import S3Storage, storage_from_url
from tracker.models import Attachment

PDF = b"%PDF-1.4\n" + b"evidence " * 1000 + b"\n%%EOF\n"
BUCKET = "tracker-files"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _moto_server() -> str:
    found = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    return found


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server on 127.0.0.1, ready; stopped at the end of the session."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own tool, fixed arguments
        [_moto_server(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto_server did not start")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_store(app, s3_endpoint, monkeypatch):
    """The app's file store: STORAGE_URL=s3://tracker-files/evidence on the moto server,
    with an empty bucket."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    reset = urllib.request.Request(f"{s3_endpoint}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset)  # noqa: S310
    store = storage_from_url(f"s3://{BUCKET}/evidence", app.instance_path)
    assert isinstance(store, S3Storage)
    store.client.create_bucket(Bucket=BUCKET)
    monkeypatch.setitem(app.extensions, "file_storage", store)
    return store


def _as(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def item_a(app, world) -> tuple[int, int]:
    with app.app_context():
        return world.project_a, factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id


def _attach(client, pid: int, iid: int, name: str, content: bytes):
    return client.post(
        f"/projects/{pid}/items/{iid}/files",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _objects(store: S3Storage) -> list[str]:
    listed = store.client.list_objects_v2(Bucket=BUCKET)
    return [entry["Key"] for entry in listed.get("Contents", [])]


def test_an_attached_file_goes_to_the_bucket_under_the_prefix(app, s3_store, item_a):
    pid, iid = item_a
    assert _attach(_as(app, World.CLIENT_A), pid, iid, "minutes.pdf", PDF).status_code == 302
    with app.app_context():
        key = db.session.scalar(sa.select(Attachment.storage_key))
    assert _objects(s3_store) == [f"evidence/{key}"]


def test_a_file_is_downloaded_from_the_bucket(app, s3_store, item_a):
    pid, iid = item_a
    client = _as(app, World.CLIENT_A)
    _attach(client, pid, iid, "minutes.pdf", PDF)
    with app.app_context():
        aid = db.session.scalar(sa.select(Attachment.id))
    response = client.get(f"/projects/{pid}/items/{iid}/files/{aid}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_refused_file_puts_nothing_in_the_bucket(app, s3_store, item_a):
    pid, iid = item_a
    response = _attach(_as(app, World.CLIENT_A), pid, iid, "logo.svg", b"<svg/>")
    assert response.status_code == 422
    assert _objects(s3_store) == []


def test_removing_a_file_keeps_it_in_the_bucket(app, s3_store, item_a):
    pid, iid = item_a
    client = _as(app, World.CLIENT_A)
    _attach(client, pid, iid, "minutes.pdf", PDF)
    with app.app_context():
        aid = db.session.scalar(sa.select(Attachment.id))
    client.post(f"/projects/{pid}/items/{iid}/files/{aid}/hide")
    assert len(_objects(s3_store)) == 1


def test_a_file_missing_from_the_bucket_is_a_404_not_a_500(app, s3_store, item_a):
    pid, iid = item_a
    client = _as(app, World.CLIENT_A)
    _attach(client, pid, iid, "minutes.pdf", PDF)
    with app.app_context():
        aid = db.session.scalar(sa.select(Attachment.id))
    s3_store.client.delete_object(Bucket=BUCKET, Key=_objects(s3_store)[0])
    assert client.get(f"/projects/{pid}/items/{iid}/files/{aid}").status_code == 404


def test_storage_url_must_name_a_bucket():
    with pytest.raises(ValueError, match="bucket"):
        storage_from_url("s3:///prefix", os.getcwd())
