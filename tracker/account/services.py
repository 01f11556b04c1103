"""Changes people make to their own account."""

from __future__ import annotations

from tracker.account.language import LANGUAGES
from tracker.auth.models import User
from tracker.errors import RuleError
from tracker.extensions import db


def set_preferences(user: User, *, digest_enabled: bool, language: str) -> None:
    """Turn ``user``'s daily reminder e-mail on or off and set their language."""
    if language not in LANGUAGES:
        raise RuleError("language", "Choose English or French.")
    user.digest_enabled = digest_enabled
    user.language = language
    db.session.flush()
