"""Configuration, read from environment variables."""

from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _proxy_count(name: str) -> int:
    """How many reverse proxies to trust: a number, or true/false for one or none."""
    value = (os.environ.get(name) or "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return 0
    if value in {"true", "yes", "on"}:
        return 1
    if value.isdigit():
        return int(value)
    raise RuntimeError(f"{name} must be a number of proxies (0, 1, 2...) or true/false.")


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _engine_options() -> dict:
    """SQLAlchemy engine options from the environment: the connection pool of each process.

    DATABASE_POOL_SIZE and DATABASE_MAX_OVERFLOW size each process's pool (SQLAlchemy's
    defaults, 5 and 10, when unset); DATABASE_POOL_RECYCLE (seconds) replaces connections
    older than that; DATABASE_PGBOUNCER=true turns off psycopg's prepared statements, which a
    PgBouncer in transaction mode (before 1.21) cannot follow. See docs/deployment.md.
    """
    options: dict = {"pool_pre_ping": True}
    for name, option in (
        ("DATABASE_POOL_SIZE", "pool_size"),
        ("DATABASE_MAX_OVERFLOW", "max_overflow"),
        ("DATABASE_POOL_RECYCLE", "pool_recycle"),
    ):
        value = (os.environ.get(name) or "").strip()
        if value:
            if not value.lstrip("-").isdigit():
                raise RuntimeError(f"{name} must be a whole number.")
            options[option] = int(value)
    if _bool("DATABASE_PGBOUNCER"):
        options["connect_args"] = {"prepare_threshold": None}
    return options


class ConfigurationError(RuntimeError):
    """A setting the application cannot start without is missing or wrong."""


class Config:
    """Settings for a real deployment; every value can come from the environment."""

    TRACKER_ENV = os.environ.get("TRACKER_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: a SQLite file in the instance folder (resolved in create_app).
    SQLALCHEMY_DATABASE_URI = (
        normalise_database_url(os.environ["DATABASE_URL"])
        if os.environ.get("DATABASE_URL")
        else None
    )
    SQLALCHEMY_ENGINE_OPTIONS = _engine_options()
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in" lasts 30 days (Flask-Login's default is a year); signing out, a
    # new password or deactivation ends it sooner (User.end_sessions).
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Prefix headers
    # are believed (werkzeug's ProxyFix); 0 trusts none of them.
    TRUST_PROXY = _proxy_count("TRUST_PROXY")

    # Sign-in rate limits (Flask-Limiter). Memory storage counts per process: with several
    # workers or hosts, point RATELIMIT_STORAGE_URI at a shared Redis.
    # TRACKER_REDIS_URL, if set, is the Redis that every instance shares (sign-in counters).
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("TRACKER_REDIS_URL")
        or "memory://"
    )
    # Keys in that Redis start with this: give each installation sharing one Redis its own.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX") or "tracker"
    RATELIMIT_HEADERS_ENABLED = True  # X-RateLimit-* and, when refused, Retry-After
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # keep limiting (per process) if Redis is down
    # An unreachable Redis must fail fast (then the in-memory fallback counts), not hold a
    # sign-in until the TCP timeout; ignored by the memory storage.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    SIGN_IN_RATE_LIMITS_ENABLED = _bool("SIGN_IN_RATE_LIMITS_ENABLED", True)
    SIGN_IN_LIMITS_PER_ACCOUNT = os.environ.get(
        "SIGN_IN_LIMITS_PER_ACCOUNT", "5 per minute; 20 per hour"
    )
    SIGN_IN_LIMITS_PER_ADDRESS = os.environ.get("SIGN_IN_LIMITS_PER_ADDRESS", "30 per minute")
    # "Forgot password?": how often a reset link may be asked for one address, and from one
    # client address (the same switch as the sign-in limits turns them on).
    RESET_REQUEST_LIMITS_PER_ACCOUNT = os.environ.get(
        "RESET_REQUEST_LIMITS_PER_ACCOUNT", "3 per hour"
    )
    RESET_REQUEST_LIMITS_PER_ADDRESS = os.environ.get(
        "RESET_REQUEST_LIMITS_PER_ADDRESS", "10 per hour"
    )
    # Views of progress links (tracker/sharing) per client address; empty: no limit.
    PROGRESS_LINK_LIMITS = os.environ.get("PROGRESS_LINK_LIMITS", "30 per minute; 300 per hour")

    # Pages kept as rendered until the next write (tracker/pagecache.py), in the Redis every
    # instance shares: only with TRACKER_REDIS_URL (workers could not tell each other about
    # writes with a cache of their own). Flask-Caching's settings; PAGE_CACHE_SECONDS is how
    # long a page may stay unasked before it is dropped.
    CACHE_TYPE = "RedisCache" if os.environ.get("TRACKER_REDIS_URL") else "NullCache"
    CACHE_REDIS_URL = os.environ.get("TRACKER_REDIS_URL")
    CACHE_KEY_PREFIX = (os.environ.get("CACHE_KEY_PREFIX") or "tracker-cache") + ":"
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))

    # Passwords set through forms (the admin's user form, password change, reset links).
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "12"))
    PASSWORD_RESET_LINK_HOURS = int(os.environ.get("PASSWORD_RESET_LINK_HOURS", "48"))
    # "Forgot password?" answers no sooner than this many seconds after it is asked, whether
    # the address has an account (a link is made and e-mailed) or not (nothing happens).
    RESET_REQUEST_MIN_SECONDS = float(os.environ.get("RESET_REQUEST_MIN_SECONDS", "0.25"))
    # How long an invitation's link may be used (resending makes a new one).
    INVITATION_LINK_DAYS = int(os.environ.get("INVITATION_LINK_DAYS", "7"))
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name, not a password
    PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "25"))
    DUE_SOON_DAYS = 7
    # At most one notification e-mail per user in this many minutes (tracker/notifications).
    NOTIFICATION_EMAIL_MINUTES = int(os.environ.get("NOTIFICATION_EMAIL_MINUTES", "10"))
    # The time zone of users whose own zone is not known yet (tracker/timezones.py): an IANA
    # name; UTC by default.
    DEFAULT_TIME_ZONE = os.environ.get("DEFAULT_TIME_ZONE", "UTC")
    # The local hour from which each user's daily digest goes out, in their time zone (the
    # `flask reminders send` command runs every hour: docs/deployment.md).
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "8"))
    CATALOGUE_FILE = os.environ.get("CATALOGUE_FILE")

    # Mail, read now for the reminder e-mails (Flask-Mail names).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tracker@localhost")
    # "smtp" (the MAIL_* server) or "files" (each e-mail written to instance/mail/); unset:
    # "files" in development when MAIL_SERVER is not set, "smtp" otherwise.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or (
        "files"
        if os.environ.get("TRACKER_ENV") == "development" and not os.environ.get("MAIL_SERVER")
        else "smtp"
    )
    # The outbox (tracker/outbox): seconds between two looks of `flask outbox work`; minutes
    # after which a message still "sending" is uncertain; the delays before each new attempt.
    OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "2"))
    OUTBOX_CLAIM_MINUTES = 15
    OUTBOX_RETRY_MINUTES = (1, 5, 30, 120, 720)
    # The address people reach the tracker at, for links in e-mails (sent outside any
    # request): scheme, host and any path prefix, e.g. https://tracker.example.com.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Files attached to items (tracker/files): the largest accepted, in MB, and where they are
    # kept: files/ in the instance folder, a folder, or s3://bucket/prefix (docs/deployment.md).
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "25"))
    STORAGE_URL = os.environ.get("STORAGE_URL")

    @property
    def REMEMBER_COOKIE_SECURE(self) -> bool:
        """The remember-me cookie is sent over HTTPS only whenever the session cookie is."""
        return self.SESSION_COOKIE_SECURE

    @property
    def is_production(self) -> bool:
        return self.TRACKER_ENV == "production"


class TestConfig(Config):
    """Settings for the test suite: a given database, no CSRF, fast password hashing."""

    TESTING = True
    TRACKER_ENV = "testing"
    SECRET_KEY = "test-secret-key"  # noqa: S105 - test only
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast hashing for tests
    SQLALCHEMY_ENGINE_OPTIONS = {}
    SESSION_COOKIE_SECURE = False
    TRUST_PROXY = 0
    # Sign-in limits are off for the shared test app, so that tests stay independent of how
    # often other tests sign in; the rate-limit tests build an app of their own with them on
    # (and so with a fresh counter store).
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "NullCache"  # the page cache tests build an app of their own with one
    SIGN_IN_RATE_LIMITS_ENABLED = False
    SIGN_IN_LIMITS_PER_ACCOUNT = "5 per minute; 20 per hour"
    SIGN_IN_LIMITS_PER_ADDRESS = "30 per minute"
    RESET_REQUEST_LIMITS_PER_ACCOUNT = "3 per hour"
    RESET_REQUEST_LIMITS_PER_ADDRESS = "10 per hour"
    PROGRESS_LINK_LIMITS = ""  # the rate-limit test builds an app of its own with one
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_RESET_LINK_HOURS = 48
    INVITATION_LINK_DAYS = 7
    RESET_REQUEST_MIN_SECONDS = 0.0  # the tests that need it set it
    DEFAULT_TIME_ZONE = "UTC"
    DIGEST_HOUR = 8
    MAIL_BACKEND = "smtp"  # Flask-Mail's test mode: nothing leaves, every message recorded

    def __init__(self, database_url: str, **overrides) -> None:
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        for key, value in overrides.items():
            setattr(self, key, value)
