"""Time zones: each user's, the zone a page, e-mail, feed or export is written in, and
stored timestamps (naive UTC, ``tracker.timeutil.utcnow``) as their reader reads them.

A user's zone is an IANA name (``users.time_zone``: "Europe/Paris"), guessed from the
browser at the first sign-in and changed on My account. NULL means "not known yet": such a
user reads times in the installation's default zone (``DEFAULT_TIME_ZONE``, UTC unless set)
until a sign-in from a browser that tells its zone, or until they choose one.

The reader's zone (``current_zone``) is, in order: the zone an e-mail or feed being written
for someone sets (``reading_in``); under /api/, UTC (the API is machine-readable: ISO 8601
with an offset, docs/api.md); the signed-in user's; else the default zone. Every time a page
shows goes through ``tracker.formatting.format_datetime``, which writes it in that zone with
the zone's abbreviation; "today" (what is overdue) is the reader's date too
(``tracker.timeutil.today``).

Zones come from the standard library's ``zoneinfo`` (the system's time zone files; where a
system has none, the ``tzdata`` package provides them: docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app, has_app_context, has_request_context
from flask_login import current_user

from tracker.problems import is_api_request

DEFAULT_TIME_ZONE = "UTC"
# Names that zoneinfo may list from a system's files but that are not zones of a place:
# "localtime" is the machine's own zone, "Factory" a placeholder that reads "-00".
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules", "posix", "right"})
# The areas of the IANA names people choose from (My account); other names (aliases such as
# "US/Eastern", "Etc/GMT+5") stay valid but are not offered.
AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)

_reading_in: ContextVar[str | None] = ContextVar("reading_in", default=None)


@cache
def zone_names() -> frozenset[str]:
    """Every valid zone name: ``zoneinfo.available_timezones()`` but the non-zones, and UTC."""
    return frozenset(available_timezones() - _NOT_ZONES) | {DEFAULT_TIME_ZONE}


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in zone_names()


@cache
def offered_zones() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The zones offered on My account, by area: (area, names), areas and names sorted."""
    by_area: dict[str, list[str]] = {area: [] for area in AREAS}
    for name in zone_names():
        area, _, rest = name.partition("/")
        if rest and area in by_area:
            by_area[area].append(name)
    return tuple((area, tuple(sorted(names))) for area, names in by_area.items() if names)


def zone(name: str | None) -> tzinfo:
    """The zone named ``name``; UTC for UTC and for an unknown name."""
    if not is_zone(name) or name == DEFAULT_TIME_ZONE:
        return UTC  # needs no time zone file
    return ZoneInfo(name)


def default_zone_name() -> str:
    """The installation's zone for users whose own is not known yet (DEFAULT_TIME_ZONE)."""
    configured = current_app.config.get("DEFAULT_TIME_ZONE") if has_app_context() else None
    return configured if is_zone(configured) else DEFAULT_TIME_ZONE


def zone_name_of(user) -> str:
    """The zone ``user`` reads times in: theirs, else the default one."""
    own = getattr(user, "time_zone", None)
    return own if is_zone(own) else default_zone_name()


def current_zone_name() -> str:
    """The name of the reader's zone (see the module's docstring for the order). Every time
    shown goes through tracker.formatting with it: Flask-Babel's own date filters are not
    used."""
    forced = _reading_in.get()
    if forced is not None:
        return forced
    if has_request_context():
        if is_api_request():
            return DEFAULT_TIME_ZONE
        if current_user.is_authenticated:
            return zone_name_of(current_user)
    return default_zone_name()


def current_zone() -> tzinfo:
    return zone(current_zone_name())


@contextmanager
def reading_in(name: str) -> Iterator[None]:
    """Write times, and "today", in the zone ``name`` for the block: an e-mail, a feed or an
    export written for someone other than (or besides) the request's user."""
    token = _reading_in.set(name if is_zone(name) else DEFAULT_TIME_ZONE)
    try:
        yield
    finally:
        _reading_in.reset(token)


def localized_time(moment: datetime, where: tzinfo | None = None) -> datetime:
    """A stored timestamp (naive UTC, or aware) in ``where`` (default: the reader's zone),
    as an aware datetime."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(where or current_zone())


def local_date(moment: datetime, where: tzinfo) -> date:
    """The date in ``where`` at ``moment`` (naive UTC or aware)."""
    return localized_time(moment, where).date()


def abbreviation(local: datetime) -> str:
    """The zone's abbreviation at that moment, as people read it: "CET", "CEST", "EST",
    "UTC"; a zone whose abbreviation is only its offset ("+04", "-0330") reads "UTC+4",
    "UTC-3:30"."""
    name = local.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
