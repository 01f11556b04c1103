"""Users, sign-in and sign-out, passwords and sign-in rate limits."""

from __future__ import annotations

from flask import Flask

# Settings this package reads (see tracker.config.Config).
SETTINGS = (
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "RATELIMIT_HEADERS_ENABLED",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
    "SIGN_IN_RATE_LIMITS_ENABLED",
    "SIGN_IN_LIMITS_PER_ACCOUNT",
    "SIGN_IN_LIMITS_PER_ADDRESS",
    "RESET_REQUEST_LIMITS_PER_ACCOUNT",
    "RESET_REQUEST_LIMITS_PER_ADDRESS",
    "PROGRESS_LINK_LIMITS",
    "PASSWORD_MIN_LENGTH",
    "PASSWORD_RESET_LINK_HOURS",
    "INVITATION_LINK_DAYS",
    "RESET_REQUEST_MIN_SECONDS",
)


def init_app(app: Flask) -> None:
    """Complete the settings and start the sign-in rate limiter."""
    from tracker.auth.ratelimits import check_settings
    from tracker.config import Config
    from tracker.extensions import limiter

    # A configuration object that leaves some out (as tests may) gets Config's values,
    # which come from the environment.
    for name in SETTINGS:
        app.config.setdefault(name, getattr(Config, name))
    check_settings(app)
    limiter.init_app(app)
