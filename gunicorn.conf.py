"""gunicorn settings: `gunicorn app:app` reads this file from the working directory.

Every setting can come from the environment (docs/deployment.md):

- GUNICORN_BIND (127.0.0.1:8000), GUNICORN_WORKERS (2): one sync worker per core is the
  usual start; each worker has its own database pool (DATABASE_POOL_SIZE).
- GUNICORN_TIMEOUT (30 s): a worker silent that long is killed and replaced.
- GUNICORN_ACCESSLOG ("-", standard output; empty for none).
- GUNICORN_FORWARDED_ALLOW_IPS (127.0.0.1): the proxies whose X-Forwarded-Proto gunicorn
  believes; the app's own TRUST_PROXY (werkzeug's ProxyFix) handles the other headers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
# Filter and pagination URLs can be long; the largest request line gunicorn allows.
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server) -> None:
    """Warn when several workers each count sign-in attempts in memory: each then allows the
    full limits, multiplying them by the number of workers (docs/security.md)."""
    from tracker.config import Config

    if server.cfg.workers > 1 and Config.RATELIMIT_STORAGE_URI.startswith("memory://"):
        server.log.warning(
            "%d workers count sign-in attempts in memory, each on its own: the sign-in limits "
            "are multiplied by %d. Set TRACKER_REDIS_URL (or RATELIMIT_STORAGE_URI) to a "
            "shared Redis.",
            server.cfg.workers,
            server.cfg.workers,
        )
