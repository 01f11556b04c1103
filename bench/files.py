"""Upload and download throughput of one 25 MB evidence file, on the local disk and on an
S3-compatible store (moto's standalone server, started here on a free port), through the
app's own pages (the Flask test client: no network between client and app).

    .venv/bin/python -m bench.files                 # 25 MB, 5 rounds per store
    .venv/bin/python -m bench.files --mb 10 --rounds 3

For each store: the median time and throughput of an upload (POST of the item's file form:
parsing, size and type checks, SHA-256, copy to the store, one transaction) and of a download
(GET, streamed from the store), and the peak of memory allocated by Python during one
download (tracemalloc): a streamed download holds a chunk, not the file.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from tests import factories
from tests.factories import CLIENT_ROW, World
from tracker import create_app
from tracker.config import TestConfig
from tracker.enums import Party
from tracker.extensions import db
from tracker.files.storage import storage_from_url
from tracker.models import Attachment

BOUNDARY = "----bench-files"


def _body(name: str, content: bytes) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _moto() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(  # noqa: S603 - our own tool, fixed arguments
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("moto_server did not start")


def measure(store_url: str, size: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app(TestConfig(url, STORAGE_URL=store_url, MAX_UPLOAD_MB=25))
        with app.app_context():
            db.create_all()
            store = storage_from_url(store_url, folder)
            if store_url.startswith("s3://"):
                store.client.create_bucket(Bucket=store.bucket)
            world = factories.build_world()
            item = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": World.CLIENT_A, "password": factories.PASSWORD})
        content = b"%PDF-1.4\n" + os.urandom(size - 9)
        body = _body("evidence.pdf", content)
        page = f"/projects/{world.project_a}/items/{item}/files"
        uploads, downloads, peaks = [], [], []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.post(
                page, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
            )
            uploads.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
            with app.app_context():
                attachment_id = db.session.scalar(sa.select(sa.func.max(Attachment.id)))
            tracemalloc.start()
            started = time.perf_counter()
            response = client.get(f"{page}/{attachment_id}", buffered=False)
            received = sum(len(chunk) for chunk in response.response)
            downloads.append(time.perf_counter() - started)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            response.close()
            assert received == size, received
        with app.app_context():
            db.drop_all()
            db.engine.dispose()
    mb = size / 1024 / 1024
    up, down = statistics.median(uploads), statistics.median(downloads)
    return {
        "upload_s": round(up, 3),
        "upload_mb_s": round(mb / up, 1),
        "download_s": round(down, 3),
        "download_mb_s": round(mb / down, 1),
        "download_peak_mb": round(max(peaks) / 1024 / 1024, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=25, help="file size in MB (default 25)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    size = args.mb * 1024 * 1024 - 4096  # the form around it fits under MAX_UPLOAD_MB too
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["disk"] = measure(folder, size, args.rounds)
    process, endpoint = _moto()
    try:
        os.environ.update(
            AWS_ENDPOINT_URL_S3=endpoint,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
        )
        results["s3 (moto)"] = measure("s3://bench-files/evidence", size, args.rounds)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"{args.mb} MB file, median of {args.rounds} rounds, Flask test client")
    print(
        f"{'store':<10} {'upload s':>9} {'MB/s':>7} {'download s':>11} {'MB/s':>7} {'peak MB':>8}"
    )
    for store, r in results.items():
        print(
            f"{store:<10} {r['upload_s']:>9} {r['upload_mb_s']:>7} {r['download_s']:>11} "
            f"{r['download_mb_s']:>7} {r['download_peak_mb']:>8}"
        )


if __name__ == "__main__":
    main()
