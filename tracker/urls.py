"""Addresses people come back to: where a form returns after saving, where the language
switcher returns, both paths on this site only; and the links that e-mails carry."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from tracker.text import has_control_characters

# The longest return address accepted (a form's "next", the language switcher's).
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (and a sane one: bounded, no control
    characters, no line breaks), else None: never a redirect elsewhere."""
    if not target or len(target) > MAX_NEXT_LENGTH or has_control_characters(target):
        return None
    if any(character in target for character in "\r\n\t\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def switcher_next() -> str:
    """Where the header's language switcher returns to: this page, if it can be shown again
    with a GET (a form's failed POST returns to the page of that address, if any), else the
    home page."""
    if request.method == "GET":
        target = request.full_path.removesuffix("?")
        return target if len(target) <= MAX_NEXT_LENGTH else request.path
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(request.path, method="GET")
    except HTTPException:  # no such page, no GET, or a redirect (RequestRedirect)
        return url_for("projects.index")
    return request.path if len(request.path) <= MAX_NEXT_LENGTH else url_for("projects.index")


class Links:
    """Absolute URLs of the tracker's pages without a request, from BASE_URL: a scheme, a
    host and any path prefix the tracker is served under (``https://example.com/tracker``)."""

    def __init__(self, app: Flask, base_url: str) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(
                f"BASE_URL must be the tracker's address, such as https://tracker.example.com, "
                f"not {base_url!r}."
            )
        self._adapter = app.url_map.bind(
            parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
        )

    def __call__(self, endpoint: str, **values) -> str:
        return self._adapter.build(endpoint, values, force_external=True)


def mail_url(endpoint: str, **values) -> str:
    """The absolute URL of a page for an e-mail: from BASE_URL, never from the request's
    ``Host`` header, which whoever sends the request chooses (a "Forgot password?" asked for
    with a forged host would otherwise e-mail its victim a reset link to that host)."""
    return Links(current_app, current_app.config["BASE_URL"])(endpoint, **values)
