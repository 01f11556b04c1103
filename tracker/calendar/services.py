"""The calendar feed: its URL's token, turning it on and off, and the iCalendar it serves.

The feed URL (``/calendar/<user id>/<token>.ics``) is its own credential: calendar apps fetch
it without signing in. The token is not stored: it is an HMAC-SHA256, under a key derived
from the app's ``SECRET_KEY`` for this purpose only, of the user's id and their
``calendar_feed_generation``. Changing the generation revokes every earlier URL; 0 means the
feed is off. Changing ``SECRET_KEY`` changes every feed URL (``SECRET_KEY_FALLBACKS`` keeps
the old ones working while it lists the old key).

Services flush and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneStandard, vText

from tracker.boundary import flush
from tracker.extensions import db
from tracker.i18n import localized
from tracker.models import User
from tracker.queryargs import MAX_INT

# Part of the key: a feed token is good for nothing else signed with SECRET_KEY.
FEED_PURPOSE = b"onboarding-tracker calendar feed v1"

# calendar_feed_generation is an INTEGER: it stays below PostgreSQL's bound.
MAX_GENERATION = MAX_INT

PRODID = "-//Onboarding tracker//Calendar feed//EN"


# --- the token ----------------------------------------------------------------------------


def _feed_key(secret_key: str | bytes) -> bytes:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, FEED_PURPOSE, hashlib.sha256).digest()


def feed_token(user: User, *, secret_key: str | bytes | None = None) -> str:
    """The token of ``user``'s current feed URL (meaningless while the feed is off)."""
    key = _feed_key(secret_key or current_app.secret_key)
    message = f"{user.id}:{user.calendar_feed_generation}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def feed_owner(user_id: int, token: str) -> User | None:
    """The active user whose current feed URL has ``token``; None for any other token, an
    unknown or deactivated user, or a feed that is off."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.calendar_feed_generation <= 0:
        return None
    given = token.encode("utf-8", "replace")  # compare_digest takes ASCII-only str only
    keys = [current_app.secret_key, *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]
    matches = [
        hmac.compare_digest(feed_token(user, secret_key=key).encode(), given) for key in keys if key
    ]
    return user if any(matches) else None


# --- turning the feed on and off ------------------------------------------------------------


def _fresh_generation() -> int:
    """A random first generation. Turning the feed off forgets the generation (0), so
    counting from 1 again would bring back the URLs of earlier feeds, revoked ones
    included; a random start (one in a billion) never repeats in practice."""
    return secrets.randbelow(2**30) + 1


def feed_is_on(user: User) -> bool:
    return user.calendar_feed_generation > 0


def turn_on_feed(user: User) -> bool:
    """Give ``user`` a feed with a new URL; False (and nothing changes) if it is on already."""
    if feed_is_on(user):
        return False
    user.calendar_feed_generation = _fresh_generation()
    flush()
    return True


def reset_feed(user: User) -> None:
    """A new feed URL for ``user``: the previous one stops working."""
    generation = user.calendar_feed_generation
    user.calendar_feed_generation = (
        generation + 1 if 0 < generation < MAX_GENERATION else _fresh_generation()
    )
    flush()


def turn_off_feed(user: User) -> None:
    """No feed for ``user``: every URL of theirs stops working."""
    user.calendar_feed_generation = 0
    flush()


# --- the feed -----------------------------------------------------------------------------


# C0 and C1 control characters but tab and line feed: iCalendar text may not hold them
# (RFC 5545, 3.3.11), and a bare carriage return would start a new content line.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text(value: object) -> str:
    """Text for a property that may span lines (DESCRIPTION)."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _line(value: object) -> str:
    """Text for a one-line property (SUMMARY, the calendar's name): any run of spaces, tabs
    and line breaks becomes one space."""
    return " ".join(_text(value).split())


def _utc(moment: datetime) -> datetime:
    """A stored (naive UTC) timestamp as an iCalendar UTC date-time, to the second."""
    return moment.replace(tzinfo=UTC, microsecond=0)


def item_event(row, *, host: str, item_url: str, stamp: datetime, on: date) -> Event:
    """One all-day event on the item's due date. The UID stays the item's for good, and the
    SEQUENCE is the item's version: a calendar app updates the event when the date moves."""
    party = str(row.party.label)
    summary = _(
        "[%(party)s] %(area)s — %(project)s",
        party=party,
        area=localized(row, "area_title"),
        project=row.project_name,
    )
    if row.due_date < on:
        summary = _("OVERDUE %(summary)s", summary=summary)
    description = "\n".join(
        [
            _text(localized(row, "text")),
            "",
            _("Status: %(status)s", status=row.status.label),
            _("Assignee: %(name)s", name=_text(row.assignee_name) or _("nobody yet")),
            _(
                "Project: %(project)s (%(customer)s)",
                project=_text(row.project_name),
                customer=_text(row.customer_name),
            ),
            _("Due: %(date)s", date=row.due_date.isoformat()),
            "",
            item_url,
        ]
    )
    return Event.new(
        uid=f"item-{row.id}@{host}",
        stamp=stamp,
        start=row.due_date,
        end=row.due_date + timedelta(days=1),
        summary=_line(summary),
        description=description,
        categories=[party],
        sequence=row.version,
        last_modified=_utc(row.updated_at),
        url=item_url,
        transparency="TRANSPARENT",  # a due date does not make its owner busy
    )


def _utc_timezone() -> Timezone:
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    timezone = Timezone()
    timezone.add("tzid", "UTC")
    timezone.add_component(standard)
    return timezone


def feed_calendar(
    user: User,
    rows: Sequence,
    *,
    host: str,
    item_url: Callable[[int, int], str],
    now: datetime,
    on: date,
) -> Calendar:
    """``user``'s feed: one event per row of ``feed_items_select``. ``item_url(project_id,
    item_id)`` gives each item page's absolute URL; ``now`` (UTC) stamps every event; ``on``
    is the owner's date (in their time zone): items due
    before it are flagged overdue. The events are all-day ones, which need no zone; the
    stamps are written in UTC ("Z")."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Added as TEXT: icalendar would write these unescaped, as properties of unknown type.
    name = vText(_line(_("Onboarding tracker — %(name)s", name=user.name)))
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # the same, as most calendar apps read it
    # How often to check for changes (RFC 7986, and Outlook's older property); apps may
    # check less often.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    if not rows:
        # RFC 5545 wants at least one component in a calendar: an empty feed gets the
        # (unused) UTC time zone, so that strict parsers take it too.
        calendar.add_component(_utc_timezone())
    stamp = _utc(now)
    for row in rows:
        calendar.add_component(
            item_event(
                row,
                host=host,
                item_url=item_url(row.project_id, row.id),
                stamp=stamp,
                on=on,
            )
        )
    return calendar
