"""Template filters and globals."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for

from tracker import enums
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
    )
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["days"] = days_between


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def format_date(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value else ""


def days_between(value: date, other: date) -> int:
    return (other - value).days


def next_milestone(project, on: date) -> tuple[str, date] | None:
    """The project's next milestone on ``on``: kickoff, then go-live; None once live."""
    if on < project.kickoff_date:
        return "Kickoff", project.kickoff_date
    if on <= project.go_live_date:
        return "Go-live", project.go_live_date
    return None


_EVENT_LABELS = {
    "project.created": "Project created",
    "project.checklist_created": "Checklist created",
    "project.items_added": "Items added",
    "project.archived": "Project archived",
    "project.restored": "Project restored",
    "item.comment": "Comment",
}


def event_label(event) -> str:
    """A readable name for an event: 'Status changed', 'Go live date changed', ..."""
    if event.action in _EVENT_LABELS:
        return _EVENT_LABELS[event.action]
    field = (event.field or event.action).replace("_id", "").replace("_", " ")
    return f"{field.capitalize()} changed"


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
            return enum_cls(value).label
        except ValueError:
            return value
    return value


def export_url(endpoint: str, fmt: str, **values) -> str:
    """The export of the current page in ``fmt``, with the page's filters (not its page)."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "soon_page")}
    return url_for(endpoint, fmt=fmt, **values, **args)
