"""Changes people make to their own account."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.boundary import flush
from tracker.errors import RuleBroken
from tracker.i18n import LANGUAGES
from tracker.models import User
from tracker.timezones import is_zone


def set_preferences(
    user: User, *, digest_enabled: bool, language: str, time_zone: str | None = None
) -> None:
    """Turn ``user``'s daily reminder e-mail on or off and set their language and, unless
    ``time_zone`` is None or empty (not sent), their time zone (an IANA name)."""
    set_language(user, language)
    if time_zone:
        if not is_zone(time_zone):
            raise RuleBroken("time_zone", _("Choose a time zone from the list."))
        user.time_zone = time_zone
    user.digest_enabled = digest_enabled
    flush()


def set_language(user: User, language: str) -> None:
    """Set the language of ``user``'s pages and e-mails (My account, or the header's
    switcher)."""
    if language not in LANGUAGES:
        raise RuleBroken("language", _("Choose English or French."))
    user.language = language
    flush()
