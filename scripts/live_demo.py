"""The demo app served on a free local port, and the system Chromium to look at it with.

Shared by the browser tests (``tests/e2e``) and ``scripts/screenshots.py``: a fresh SQLite
file, migrated with Alembic, the catalogue and the demo data loaded by the ``flask demo``
command itself, served by werkzeug in a background thread.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tracker import create_app
from tracker.config import TestConfig

# Flags for the system Chromium: headless, as root (no sandbox), and never reaching out.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo credential


def chromium_path() -> str | None:
    """The browser to drive: $CHROMIUM_PATH, else /usr/bin/chromium, else `chromium` on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    if Path(DEFAULT_CHROMIUM).is_file():
        return DEFAULT_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


class DemoConfig(TestConfig):
    """The test settings, but with CSRF protection on, as in production: the browser sends
    the tokens the pages carry. Sign-in rate limits stay off (TestConfig)."""

    WTF_CSRF_ENABLED = True


def build_demo_app(database_path: Path, **overrides) -> Flask:
    """An app on a new SQLite file at ``database_path``: migrated, catalogue and demo loaded."""
    app = create_app(DemoConfig(f"sqlite:///{database_path}", **overrides))
    with app.app_context():
        flask_migrate.upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    if result.exit_code != 0:
        raise RuntimeError(f"flask demo failed: {result.output}") from result.exception
    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # no access log lines in test output
        pass


@contextmanager
def serve(app: Flask, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a free port in a background thread; yields its base URL."""
    server: BaseWSGIServer = make_server(host, 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
