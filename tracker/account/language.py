"""The header's language switcher."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user

from tracker.account.services import set_language
from tracker.i18n import LANGUAGES, SESSION_KEY
from tracker.urls import safe_next

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def switch():
    """Serve the site in the chosen language and go back to ``next``, a path on this site
    (anything else: the home page). A signed-in user's choice is saved into their profile,
    as on My account."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        set_language(current_user, language)
    session[SESSION_KEY] = language
    return redirect(safe_next(request.form.get("next")) or url_for("projects.index"))
