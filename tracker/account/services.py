"""Changes people make to their own account."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.boundary import flush
from tracker.errors import RuleBroken
from tracker.i18n import LANGUAGES
from tracker.models import User


def set_preferences(user: User, *, digest_enabled: bool, language: str) -> None:
    """Turn ``user``'s daily reminder e-mail on or off and set their language."""
    set_language(user, language)
    user.digest_enabled = digest_enabled
    flush()


def set_language(user: User, language: str) -> None:
    """Set the language of ``user``'s pages and e-mails (My account, or the header's
    switcher)."""
    if language not in LANGUAGES:
        raise RuleBroken("language", _("Choose English or French."))
    user.language = language
    flush()
