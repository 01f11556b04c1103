"""Signed-in pages kept as rendered, in the shared cache, until anything is written.

The overdue dashboard is the page everybody opens every morning, and most of its cost is
counting and listing tens of thousands of open items. With a shared cache configured
(``TRACKER_REDIS_URL``: every instance uses the same Redis), the pages decorated with
``cached_page`` are kept as rendered for each signed-in browser, and served again without
reading the database, loading the user or rendering anything, while nothing changes.

What makes a kept page right to serve again:

- **Any write starts afresh.** Every database transaction that writes through the app's
  session (pages, the API, the command line; ORM changes, ``session.execute`` of an INSERT,
  UPDATE or DELETE, or of hand-written SQL other than a SELECT) moves a *generation* number
  in the cache when it commits (not when a savepoint is released), and a page is kept
  with the generation read before it was rendered: it is served only while the
  generation has not moved. A kept page that is not asked for again expires
  (``PAGE_CACHE_SECONDS``, 5 minutes by default). A write seen through one instance is
  seen by all: they share the number.
- **A page is kept for one browser.** The key holds the signed session's user and its CSRF
  secret (the page's forms carry a token of that secret: another browser of the same user
  has its own; a session gets its secret with its first page, which is not kept), the
  address with its query string and the day
  (what is overdue changes at midnight). A signed-in page is in the user's language (their
  profile's, whatever the browser asks). Deactivating a user, changing a language or a
  password are writes like any other. Writes that no kept page shows leave the pages:
  signing in (the time of the last sign-in), API tokens' use, password reset links and the
  reminder run's records (``UNSHOWN_TABLES``, ``UNSHOWN_COLUMNS``). Writes through
  ``db.engine`` or ``session.connection()`` directly are not seen: call ``data_changed()``.
- **Only plain successful renders are kept:** GET, signed in, no message waiting to be shown
  (a flash is shown once), and the view returned a page (a redirect, an error or a 4xx
  answer is not kept).

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
import time
from functools import wraps

from flask import Flask, current_app, has_app_context, request, session
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from tracker.timeutil import today

log = logging.getLogger(__name__)

cache = Cache()

GENERATION = "generation"
WROTE = "tracker.pagecache.wrote"  # Session.info flag: this transaction wrote something


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
UNSHOWN_TABLES = frozenset({"api_tokens", "password_reset_tokens", "reminder_deliveries"})
UNSHOWN_COLUMNS = {"users": frozenset({"last_login_at"})}


def _shown(obj) -> bool:
    """Whether a change of ``obj`` (new, changed or deleted) can show on a kept page."""
    table = getattr(obj, "__tablename__", None)
    if table in UNSHOWN_TABLES:
        return False
    unshown = UNSHOWN_COLUMNS.get(table)
    if unshown is None:
        return True
    state = sa_inspect(obj)
    if state.pending or state.deleted or not state.persistent:
        return True
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return bool(changed - unshown)


@event.listens_for(Session, "after_flush")
def _after_flush(db_session, _flush_context) -> None:
    # The session's new, dirty and deleted objects are still those that were flushed.
    changed = (*db_session.new, *db_session.dirty, *db_session.deleted)
    if any(_shown(obj) for obj in changed):
        db_session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(statement, "table", None), "name", None)
        if table not in UNSHOWN_TABLES:
            state.session.info[WROTE] = True
    elif isinstance(statement, TextClause) and not statement.text.lstrip().upper().startswith(
        ("SELECT", "WITH", "EXPLAIN", "SHOW", "PRAGMA")
    ):
        state.session.info[WROTE] = True  # hand-written SQL that may write


@event.listens_for(Session, "after_commit")
def _after_commit(db_session) -> None:
    if db_session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit is still to come
    if db_session.info.pop(WROTE, False) and has_app_context() and configured():
        data_changed()


@event.listens_for(Session, "after_rollback")
def _after_rollback(db_session) -> None:
    if db_session.in_nested_transaction():
        return  # a savepoint rolled back: what the transaction wrote before it stays
    db_session.info.pop(WROTE, None)


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
        today().isoformat(),
    )
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


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
