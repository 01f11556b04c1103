"""The languages of the interface and of e-mails, which one a request is served in, and the
catalogue's texts in that language.

A request is served in: the signed-in user's language (User.language, set on My account or
with the header's switcher); else the language a visitor chose with the switcher (kept in
their session); else the browser's best match among LANGUAGES (Accept-Language); else
English. The JSON API (/api/) always speaks English. E-mails and the calendar feed set their
recipient's language themselves (``force_locale``).
"""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from tracker.problems import is_api_request

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
# Where a visitor's choice (not signed in) is kept.
SESSION_KEY = "language"


def language_of(user) -> str:
    """The user's language, or the default one should the stored value be unknown."""
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def select_locale() -> str | None:
    """Flask-Babel's locale selector (see the module's docstring for the order).

    Outside a request (the command line) it answers None, i.e. English: each reminder e-mail
    sets its recipient's language with ``force_locale``.
    """
    if not has_request_context():
        return None
    if is_api_request():
        return DEFAULT_LANGUAGE  # the API's messages are English (docs/api.md)
    if current_user.is_authenticated:
        return language_of(current_user)
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return browser_language()


def browser_language() -> str | None:
    """The language of LANGUAGES the browser prefers, by primary subtag: "fr-CA" asks for
    French. (Werkzeug's ``best_match`` would prefer an exact "en;q=0.5" to "fr-CA;q=0.8".)"""
    for value, quality in request.accept_languages:  # most preferred first
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in LANGUAGES and quality > 0:  # q=0: "not this one"
            return primary
    return None


def current_language() -> str:
    """The code of the language the current page (or e-mail) is written in: "en" or "fr"."""
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def localized(obj, field: str, language: str | None = None) -> str | None:
    """A catalogue text in the current language (or ``language``): ``localized(area,
    "title")`` is ``area.title_fr`` in French, ``area.title_en`` otherwise. Works on model
    objects and on query rows alike (``localized(row, "area_title")``), reading only columns
    already loaded. A text missing in that language (a note written in one language only)
    falls back to the other language's."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", None)
    if value is None:
        for other in LANGUAGES:
            value = getattr(obj, f"{field}_{other}", None)
            if value is not None:
                break
    return value
