"""A liveness check for load balancers, orchestrators and the benchmark.

``GET /healthz`` answers ``ok`` (text/plain) from any instance that can serve requests. It
reads neither the database nor the session, so it stays cheap under load and does not mark
every instance down together when the shared database is slow; the benchmark uses it as
the trivial endpoint the pages are compared with.
"""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})
