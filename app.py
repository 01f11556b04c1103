from tracker import create_app
from tracker.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:  # one clear line for gunicorn and `flask`, no traceback
    raise SystemExit(f"Error: {error}") from None
