"""gunicorn settings: `gunicorn app:app` reads this file from the working directory."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Filter and pagination URLs can be long; the largest request line gunicorn allows.
limit_request_line = 8190
accesslog = "-"
