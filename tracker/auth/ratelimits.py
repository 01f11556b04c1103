"""Sign-in rate limits: per account (the email submitted) and per client address; the same
for asking a password reset link ("Forgot password?"), with limits of its own.

Only POSTs count (to /login, to /forgot-password), successful or not. The limits are strings
in the app's config (``"5 per minute; 20 per hour"``; an empty string sets none), read on
each request.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse_many

from tracker.extensions import limiter

LIMIT_SETTINGS = (
    "SIGN_IN_LIMITS_PER_ACCOUNT",
    "SIGN_IN_LIMITS_PER_ADDRESS",
    "RESET_REQUEST_LIMITS_PER_ACCOUNT",
    "RESET_REQUEST_LIMITS_PER_ADDRESS",
    "PROGRESS_LINK_LIMITS",
)


def submitted_account() -> str:
    """The account a sign-in attempt is for, as the sign-in form looks it up: from the form
    fields, or from a JSON body, which Flask-WTF reads as the form when no field is sent."""
    email = request.form.get("email", "")
    if not request.form and request.is_json:
        body = request.get_json(silent=True)
        sent = body.get("email") if isinstance(body, dict) else None
        email = sent if isinstance(sent, str) else ""
    return f"account:{email.strip().lower()[:254]}"


def client_address() -> str:
    # ProxyFix (TRUST_PROXY) has already put the client's own address here behind a proxy.
    return f"address:{get_remote_address()}"


def _disabled() -> bool:
    return not current_app.config["SIGN_IN_RATE_LIMITS_ENABLED"]


def _config(name: str):
    return lambda: current_app.config[name]


per_account = limiter.limit(
    _config("SIGN_IN_LIMITS_PER_ACCOUNT"),
    key_func=submitted_account,
    methods=["POST"],
    exempt_when=_disabled,
)
per_address = limiter.limit(
    _config("SIGN_IN_LIMITS_PER_ADDRESS"),
    key_func=client_address,
    methods=["POST"],
    exempt_when=_disabled,
)

# Separate scopes: reset links asked for do not use up sign-in attempts, nor the reverse.
reset_requests_per_account = limiter.limit(
    _config("RESET_REQUEST_LIMITS_PER_ACCOUNT"),
    key_func=submitted_account,
    methods=["POST"],
    exempt_when=_disabled,
    scope="forgot-password-account",
)
reset_requests_per_address = limiter.limit(
    _config("RESET_REQUEST_LIMITS_PER_ADDRESS"),
    key_func=client_address,
    methods=["POST"],
    exempt_when=_disabled,
    scope="forgot-password-address",
)


def check_settings(app: Flask) -> None:
    """Refuse to start with a limit that does not parse, rather than fail on each sign-in."""
    for name in LIMIT_SETTINGS:
        value = app.config[name]
        try:
            if value:
                parse_many(value)
        except ValueError as error:
            raise RuntimeError(
                f"{name}={value!r} is not a rate limit such as '5 per minute; 20 per hour'."
            ) from error
