"""Signed-in pages kept as rendered, in the shared cache, until anything is written.

The overdue dashboard is the page everybody opens every morning, and most of its cost is
counting and listing tens of thousands of open items. With a shared cache configured
(``TRACKER_REDIS_URL``: every instance uses the same Redis), the pages decorated with
``cached_page`` are kept as rendered for each signed-in browser, and served again without
reading the database, loading the user or rendering anything, while nothing changes. Under
load, the dashboard and the project page keep about two thirds of ``/healthz``'s rate with
it, 2 to 4 % without it (bench/README.md).

**The rule.** A kept page is served only while nothing it could show has been written since
it was rendered. Every statement that any connection of the app sends to the database is
read (``shows_on_pages``, the one place that decides): an INSERT, UPDATE or DELETE, DDL, or
SQL of any other kind but a read, marks the connection's transaction as having written,
except writes that no kept page shows (``UNSHOWN_TABLES``, ``UNSHOWN_COLUMNS``: the time of
a sign-in, an API token's last use, reset links, the reminder run's records, the views of
progress links). When that transaction has committed, the *generation* in the cache moves on
(``data_changed``), and a page kept with an earlier generation is not served again. This
sees the ORM's changes, statements built by hand (``session.execute``), SQL written as text,
and what goes through ``db.engine`` or ``session.connection()`` directly, from pages, the
API and the command line alike. The generation moves after the commit, never before it (a
page rendered between the two would be kept with the new number and the old data): when the
connection returns to the pool, as the app's sessions and ``with engine.begin()`` blocks
return theirs at once, or when the same connection begins its next transaction. A
rolled-back transaction moves nothing; a savepoint rolled back leaves its transaction marked
(a page rendered again for nothing).

What else keeps a kept page right to serve:

- **A page is kept for one browser.** The key holds the signed session's user and its CSRF
  secret (the page's forms carry a token of that secret: another browser of the same user
  has its own; a session gets its secret with its first page, which is not kept), the
  address with its query string and the quarter hour of UTC (what is overdue changes at the
  reader's midnight, and every time zone's midnight falls on a quarter hour of UTC: the key
  changes then without loading the user to learn their zone). A signed-in page is in the
  user's language and time zone (their profile's, whatever the browser asks). Deactivating a
  user, changing a language, a time zone or a password are writes like any other.
- **Only plain successful renders are kept:** GET, signed in, no message waiting to be shown
  (a flash is shown once), and the view returned a page (a redirect, an error or a 4xx
  answer is not kept). A kept page that is not asked for again expires
  (``PAGE_CACHE_SECONDS``, 5 minutes by default).

Without a shared cache (``CACHE_TYPE`` NullCache, the default with no Redis) nothing is kept:
workers of one server could not tell each other about writes. The ``X-Page-Cache`` header
says ``hit`` or ``miss`` when the cache is on. If Redis stops answering, pages are rendered
as without a cache, and the process leaves the cache alone for ``PAGE_CACHE_RETRY_SECONDS``
(30) before trying it again: a Redis that hangs costs one page its timeout (1 s), not every
page. Each failure is logged.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from functools import wraps

from flask import Flask, current_app, has_app_context, request, session
from flask_caching import Cache
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool

from tracker.timeutil import utcnow

log = logging.getLogger(__name__)

cache = Cache()

GENERATION = "generation"


def init_app(app: Flask) -> None:
    app.config.setdefault("CACHE_TYPE", "NullCache")
    app.config.setdefault("CACHE_NO_NULL_WARNING", True)  # no Redis, no page cache: expected
    app.config.setdefault("PAGE_CACHE_SECONDS", 300)
    if app.config.get("CACHE_TYPE") == "RedisCache":
        # A Redis that does not answer must fail fast (and pages be rendered), not hold a
        # page until the TCP timeout.
        app.config.setdefault("CACHE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    cache.init_app(app)
    kind = app.config.get("CACHE_TYPE")
    app.config["PAGE_CACHE_ENABLED"] = kind not in (None, "NullCache", "null")
    if app.config["PAGE_CACHE_ENABLED"]:
        app.before_request(_retry_pending_bump)


_retry_at = 0.0  # monotonic time before which this process does not try the cache again
_bump_pending = False  # a write of this process could not move the generation yet


def configured() -> bool:
    return current_app.config.get("PAGE_CACHE_ENABLED", False)


def enabled() -> bool:
    return configured() and time.monotonic() >= _retry_at


def _failed(what: str) -> None:
    global _retry_at
    log.exception("page cache: %s; not used for a while", what)
    _retry_at = time.monotonic() + current_app.config.get("PAGE_CACHE_RETRY_SECONDS", 30)


# --- writes move the generation ----------------------------------------------------------

# What no kept page shows: writes to these alone leave the kept pages as they are. Signing in
# (the time of the last sign-in), an API token's last use and the reminder run's records
# happen all morning, when the dashboard is asked for most.
# progress_link_views: the views of a progress link, shown only on its project's list of
# links, which is never kept; a busy link would otherwise move the generation on every view.
UNSHOWN_TABLES = frozenset(
    {"api_tokens", "password_reset_tokens", "reminder_deliveries", "progress_link_views"}
)
UNSHOWN_COLUMNS = {"users": frozenset({"last_login_at"})}

READS = ("SELECT", "EXPLAIN", "SHOW", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")
_TARGET = re.compile(
    r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(?P<table>\w+)\"?", re.IGNORECASE
)
_SET = re.compile(r"\sSET\s(?P<set>.*?)(?:\sWHERE\s|\sRETURNING\s|$)", re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r"\"?(\w+)\"?\s*=")
_WRITING = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)

WROTE = "tracker.pagecache.wrote"  # connection info: its transaction wrote something shown
COMMITTED = "tracker.pagecache.committed"  # connection info: and committed, not yet announced


def shows_on_pages(statement: str) -> bool:
    """Whether a statement sent to the database may change what a kept page shows."""
    words = statement.lstrip().split(None, 1)
    first = words[0].upper() if words else ""
    if first in READS:
        return False
    if first == "WITH":  # a read, unless one of its parts writes
        return bool(_WRITING.search(statement))
    target = _TARGET.match(statement)
    if target is None:
        return True  # DDL, or SQL of another kind: assume it writes
    table = target["table"].lower()
    if table in UNSHOWN_TABLES:
        return False
    unshown = UNSHOWN_COLUMNS.get(table)
    if unshown is not None and first == "UPDATE":
        assigned = _SET.search(statement)
        columns = {c.lower() for c in _ASSIGNED.findall(assigned["set"])} if assigned else set()
        return not columns or not columns <= unshown
    return True


@event.listens_for(Engine, "after_cursor_execute")
def _after_statement(connection, _cursor, statement, _parameters, _context, _many) -> None:
    if not connection.info.get(WROTE) and shows_on_pages(statement):
        connection.info[WROTE] = True


@event.listens_for(Engine, "commit")
def _on_commit(connection) -> None:
    # The transaction is about to commit: announce it once it has (below).
    if connection.info.pop(WROTE, False):
        connection.info[COMMITTED] = True


@event.listens_for(Engine, "rollback")
def _on_rollback(connection) -> None:
    connection.info.pop(WROTE, None)
    connection.info.pop(COMMITTED, None)  # a commit that failed is rolled back


@event.listens_for(Engine, "begin")
def _on_begin(connection) -> None:
    # The same connection's earlier transaction has committed.
    if connection.info.pop(COMMITTED, False):
        _announce()


@event.listens_for(Pool, "checkin")
def _on_checkin(_dbapi_connection, record) -> None:
    if record is None:
        return
    record.info.pop(WROTE, None)  # not committed: the pool rolls it back
    if record.info.pop(COMMITTED, False):
        _announce()


def _announce() -> None:
    if has_app_context() and configured():
        data_changed()


def data_changed() -> None:
    """Retire every kept page: the next request for any page renders it again. Tried even
    while this process leaves the cache alone after a failure (writes are few, and the
    other instances may still be serving pages); if the cache does not answer, it is tried
    again before this process's next request."""
    global _bump_pending
    _bump_pending = True
    try:
        if _take_fresh_generation() is None:
            cache.cache.inc(GENERATION)
    except Exception:
        _failed("the generation could not be moved")
    else:
        _bump_pending = False


def _retry_pending_bump() -> None:
    if _bump_pending and enabled():
        data_changed()


def _take_fresh_generation() -> int | None:
    """Set the generation to a number no kept page can have been stored with, if there is
    none (a new cache, or one that lost it: restarted, evicted); None if there is one."""
    fresh = time.time_ns() // 1000
    return fresh if cache.add(GENERATION, fresh, timeout=0) else None  # SET NX


# --- pages --------------------------------------------------------------------------------


def _key() -> str | None:
    """The kept page's key for this request, None when it must not be kept or served."""
    if request.method != "GET" or "_flashes" in session:
        return None
    user_id = session.get("_user_id")
    secret = session.get("csrf_token")  # set by the first page rendered in this session
    if not user_id or not secret:
        return None
    parts = (
        str(user_id),
        secret,
        request.full_path,
        quarter_hour(),
    )
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def quarter_hour() -> str:
    """The current quarter hour of UTC, "2026-12-05T18:15": every zone's offset is a whole
    number of quarter hours, so the reader's date never changes within one."""
    now = utcnow()
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0).isoformat(
        timespec="minutes"
    )


def _read(key: str) -> tuple[int | None, bytes | None]:
    """The current generation and the page kept under ``key`` if it is of that generation:
    one round trip to the cache."""
    generation, kept = cache.get_many(GENERATION, key)
    if generation is None:  # taken now, or by another instance meanwhile
        return _take_fresh_generation() or cache.get(GENERATION), None
    if kept is not None and kept[0] == generation:
        return generation, kept[1]
    return generation, None


def cached_page(view):
    """Keep ``view``'s page (see the module's docstring). Put it above ``login_required``:
    a kept page is served without loading the user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not enabled():
            return view(*args, **kwargs)
        key = _key()
        generation = page = None
        if key:
            try:
                generation, page = _read(key)
            except Exception:
                _failed("not readable")
                key = None
        if page is not None:
            return page, 200, {"X-Page-Cache": "hit", "Content-Type": "text/html; charset=utf-8"}
        rv = view(*args, **kwargs)
        if key and generation is not None and isinstance(rv, str):
            # Kept with the generation read before the page was: a write committed meanwhile
            # has moved the generation on, and the page is not served again.
            body = rv.encode()
            try:
                cache.set(key, (generation, body), timeout=current_app.config["PAGE_CACHE_SECONDS"])
            except Exception:
                _failed("not writable")
            return body, 200, {"X-Page-Cache": "miss", "Content-Type": "text/html; charset=utf-8"}
        return rv

    return wrapper
