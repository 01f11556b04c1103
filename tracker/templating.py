"""Template filters and globals."""

from __future__ import annotations

from datetime import date

from flask import Flask, request, url_for
from flask_babel import format_decimal, format_number, format_percent

from tracker import enums
from tracker.formatting import format_date, format_datetime
from tracker.i18n import LANGUAGES, current_language, localized
from tracker.timeutil import today
from tracker.urls import switcher_next
from tracker.wording import (
    catalogue_event_text,
    event_after,
    event_before,
    event_label,
    item_reason,
    next_milestone,
    with_party,
)


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
        catalogue_event_text=catalogue_event_text,
        event_before=event_before,
        event_after=event_after,
        export_url=export_url,
        LANGUAGES=LANGUAGES,
        current_language=current_language,
        localized=localized,
        language_switch_next=switcher_next,
        item_reason=item_reason,
        with_party=with_party,
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


def days_between(value: date, other: date) -> int:
    return (other - value).days


def export_url(endpoint: str, fmt: str, **values) -> str:
    """The export of the current page in ``fmt``, with the page's filters (not its page)."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "soon_page")}
    return url_for(endpoint, fmt=fmt, **values, **args)
