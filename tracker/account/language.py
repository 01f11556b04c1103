"""The languages of the interface and of e-mails, and which one a request is served in."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

# Each person's choice, kept in User.language; e-mails are translated (tracker/translations),
# the web pages will be (issue 5).
LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"


def language_of(user) -> str:
    """The user's language, or the default one should the stored value be unknown."""
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def select_locale() -> str | None:
    """Flask-Babel's locale selector: the signed-in user's language, else the browser's best
    match among LANGUAGES (Accept-Language), else None, i.e. the default (English).

    Outside a request (the command line) it answers None: each reminder e-mail sets its
    recipient's language with ``force_locale``.
    """
    if not has_request_context():
        return None
    if current_user.is_authenticated:
        return language_of(current_user)
    return browser_language()


def browser_language() -> str | None:
    """The language of LANGUAGES the browser prefers, by primary subtag: "fr-CA" asks for
    French. (Werkzeug's ``best_match`` would prefer an exact "en;q=0.5" to "fr-CA;q=0.8".)"""
    for value, quality in request.accept_languages:  # most preferred first
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in LANGUAGES and quality > 0:  # q=0: "not this one"
            return primary
    return None
