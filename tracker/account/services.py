"""Changes people make to their own account."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.boundary import flush
from tracker.errors import RuleBroken
from tracker.i18n import LANGUAGES
from tracker.models import User
from tracker.models.notification import EMAIL_CHOICES
from tracker.notifications.services import rechannel_waiting
from tracker.timezones import is_zone


def set_preferences(
    user: User,
    *,
    digest_enabled: bool,
    language: str,
    time_zone: str | None = None,
    notification_email: str | None = None,
) -> None:
    """Turn ``user``'s daily reminder e-mail on or off and set their language and, unless
    ``time_zone`` is None or empty (not sent), their time zone (an IANA name), and unless
    ``notification_email`` is None or empty, how their notifications are e-mailed."""
    set_language(user, language)
    if notification_email:
        if notification_email not in EMAIL_CHOICES:
            raise RuleBroken("notification_email", _("Choose one of the options."))
        if notification_email != user.notification_email:
            user.notification_email = notification_email
            rechannel_waiting(user)
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
