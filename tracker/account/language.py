"""The languages of the interface and of e-mails, which one a request is served in, the
catalogue's text in that language, and the header's language switcher.

A request is served in: the signed-in user's language (User.language, set on My account or
with the switcher); else the language a visitor chose with the switcher (kept in their
session); else the browser's best match among LANGUAGES (Accept-Language); else English.
The JSON API (/api/) always speaks English. E-mails and the calendar feed set their
recipient's language themselves (``force_locale``).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.exceptions import HTTPException

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
# Where a visitor's choice (not signed in) is kept.
SESSION_KEY = "language"
# The longest return address the switcher sends back (as auth.views.safe_next accepts).
MAX_NEXT_LENGTH = 2000

bp = Blueprint("language", __name__)


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
    if request.path.startswith("/api/"):
        return DEFAULT_LANGUAGE  # the API's messages are English (README, "JSON API")
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


@bp.route("/language", methods=["POST"])
def switch():
    """The header's switcher (CSRF-protected like every POST): serve the site in the chosen
    language and go back to ``next``, a path on this site (anything else: the home page).
    A signed-in user's choice is saved into their profile, as on My account."""
    from tracker.account.services import set_language
    from tracker.auth.views import safe_next
    from tracker.errors import RuleError
    from tracker.extensions import db

    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        try:
            set_language(current_user, language)
        except RuleError:  # pragma: no cover - the language was checked above
            db.session.rollback()
            abort(400)
        db.session.commit()
    session[SESSION_KEY] = language
    return redirect(safe_next(request.form.get("next")) or url_for("projects.index"))
