"""Changes people make to their own account."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.account.language import LANGUAGES
from tracker.auth.models import User
from tracker.errors import RuleError
from tracker.extensions import db


def set_preferences(user: User, *, digest_enabled: bool, language: str) -> None:
    """Turn ``user``'s daily reminder e-mail on or off and set their language."""
    set_language(user, language)
    user.digest_enabled = digest_enabled
    db.session.flush()


def set_language(user: User, language: str) -> None:
    """Set the language of ``user``'s pages and e-mails (My account, or the header's
    switcher)."""
    if language not in LANGUAGES:
        raise RuleError("language", _("Choose English or French."))
    user.language = language
    db.session.flush()
