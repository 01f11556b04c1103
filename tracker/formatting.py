"""Values as people read them, in the language of the page or e-mail being written: dates,
times, coded values, people, yes and no."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel import dates as babel_dates
from flask_babel import get_locale
from flask_babel import gettext as _

from tracker.enums import Labelled
from tracker.timezones import abbreviation, localized_time

# Day, abbreviated month, year: "28 Nov 2026", "28 nov. 2026". (<input type=date> values
# stay ISO: WTForms writes them.)
DATE_PATTERN = "d MMM y"


def format_date(value: date | None) -> str:
    """A date in the current language."""
    if not value:
        return ""
    return _day(value, _locale())


def format_datetime(value: datetime | None, where: tzinfo | None = None) -> str:
    """A stored (naive UTC) timestamp in the current language, in the reader's time zone
    (``tracker.timezones.current_zone``) or ``where``, with the zone's abbreviation:
    "5 Dec 2026 14:29 CET". Every time a page or e-mail shows goes through here (the
    ``datetime`` filter)."""
    if not value:
        return ""
    local = localized_time(value, where)
    day = _day(local.date(), _locale())
    return _(
        "%(day)s %(time)s %(zone)s", day=day, time=local.strftime("%H:%M"), zone=abbreviation(local)
    )


def _day(value: date, locale) -> str:
    return babel_dates.format_date(value, DATE_PATTERN, locale=locale)


def _locale():
    return get_locale() or "en"


def display_value(value) -> str:
    """Any value as a page shows it: a label for a coded value, a name for a person, "Yes"
    or "No", a date written out, a time in the reader's zone, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Labelled):
        return str(value.label)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):  # a date too: written as a time, in the reader's zone
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return name
    return str(value)
