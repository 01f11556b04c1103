"""Template filters and globals."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import dates as babel_dates
from flask import Flask, request, url_for
from flask_babel import format_decimal, format_number, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import enums
from tracker.account.language import (
    LANGUAGES,
    current_language,
    localized,
    switcher_next,
)
from tracker.checklist.services import shown_reason
from tracker.timeutil import today


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        Party=enums.Party,
        Status=enums.Status,
        Phase=enums.Phase,
        Role=enums.Role,
        today=today,
        url_with=url_with,
        milestone=next_milestone,
        event_label=event_label,
        event_value=event_value,
        export_url=export_url,
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        localized=localized,
        language_switch_next=switcher_next,
        shown_reason=shown_reason,
    )
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["days"] = days_between
    # Counts and shares in the page's language: "1,234" / "1 234", "75%" / "75 %".
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["decimal"] = format_decimal
    app.jinja_env.filters["percent"] = format_percent


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# Day, abbreviated month, year: "28 Nov 2026", "28 nov. 2026". (<input type=date> values
# stay ISO: WTForms writes them.)
DATE_PATTERN = "d MMM y"


def format_date(value: date | None) -> str:
    """A date in the page's language."""
    if not value:
        return ""
    return _day(value, _locale())


def format_datetime(value: datetime | None) -> str:
    """A stored (naive UTC) timestamp in the page's language, in UTC."""
    if not value:
        return ""
    day = _day(value.date(), _locale())
    return _("%(day)s %(time)s UTC", day=day, time=value.strftime("%H:%M"))


@lru_cache(maxsize=8192)
def _day(value: date, locale) -> str:
    """Babel's formatting of a day, remembered: a page shows dozens of dates, mostly the
    same few weeks (a year of days in two languages fits)."""
    return babel_dates.format_date(value, DATE_PATTERN, locale=locale)


def _locale():
    return get_locale() or "en"


def days_between(value: date, other: date) -> int:
    return (other - value).days


def next_milestone(project, on: date) -> tuple[str, date] | None:
    """The project's next milestone on ``on``: kickoff, then go-live; None once live."""
    if on < project.kickoff_date:
        return str(enums.Anchor.KICKOFF.label), project.kickoff_date
    if on <= project.go_live_date:
        return str(enums.Anchor.GO_LIVE.label), project.go_live_date
    return None


_EVENT_LABELS = {
    "project.created": _l("Project created"),
    "project.checklist_created": _l("Checklist created"),
    "project.items_added": _l("Items added"),
    "project.archived": _l("Project archived"),
    "project.restored": _l("Project restored"),
    "item.comment": _l("Comment"),
}

# What changed, by the field an event names (project and item fields).
_FIELD_CHANGES = {
    "status": _l("Status changed"),
    "reason": _l("Reason changed"),
    "assignee": _l("Assignee changed"),
    "due_date": _l("Due date changed"),
    "name": _l("Name changed"),
    "customer_id": _l("Customer changed"),
    "csm_id": _l("CSM changed"),
    "deployment": _l("Deployment changed"),
    "environment": _l("Environment changed"),
    "ims_contract": _l("IMS contract changed"),
    "ims_scope": _l("IMS scope changed"),
    "implementer": _l("Implementer changed"),
    "partner_id": _l("Partner changed"),
    "data_migration": _l("Data migration changed"),
    "vpn_required": _l("VPN required changed"),
    "kickoff_date": _l("Kickoff date changed"),
    "go_live_date": _l("Go live date changed"),
}


def event_label(event) -> str:
    """A readable name for an event: 'Status changed', 'Go live date changed', ..."""
    if event.action in _EVENT_LABELS:
        return str(_EVENT_LABELS[event.action])
    name = event.field or event.action
    if name in _FIELD_CHANGES:
        return str(_FIELD_CHANGES[name])
    field = name.replace("_id", "").replace("_", " ")
    return _("%(field)s changed", field=field.capitalize())


_VALUE_ENUMS = {
    "status": enums.Status,
    "party": enums.Party,
    "deployment": enums.Deployment,
    "environment": enums.Environment,
    "implementer": enums.Implementer,
}


def event_value(event, value: str | None) -> str:
    """An event's old or new value as people read it: labels rather than stored codes."""
    if value is None:
        return ""
    enum_cls = _VALUE_ENUMS.get(event.field or "")
    if enum_cls is not None:
        try:
            return str(enum_cls(value).label)
        except ValueError:
            return value
    if event.field in _BOOLEAN_FIELDS and value in ("yes", "no"):
        return _("Yes") if value == "yes" else _("No")
    if event.field in _DATE_FIELDS:
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value


# Fields whose values the history keeps as "yes"/"no", and as ISO dates (audit._text).
_BOOLEAN_FIELDS = {"ims_contract", "data_migration", "vpn_required"}
_DATE_FIELDS = {"due_date", "kickoff_date", "go_live_date"}


def export_url(endpoint: str, fmt: str, **values) -> str:
    """The export of the current page in ``fmt``, with the page's filters (not its page)."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "soon_page")}
    return url_for(endpoint, fmt=fmt, **values, **args)
