"""The password reset e-mail ("Forgot password?"), in its recipient's language, queued in the
outbox with the change that issued the link."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from tracker.i18n import language_of
from tracker.models import User
from tracker.timezones import reading_in, zone_name_of


def queue_reset_mail(user: User, *, link: str, expires_at: datetime) -> None:
    """Queue the e-mail carrying ``link`` to ``user`` (written with the request's changes)."""
    from tracker.outbox import enqueue_mail

    language = language_of(user)
    with force_locale(language), reading_in(zone_name_of(user)):
        subject = gettext("Set a new password for the onboarding tracker")
        context = dict(
            user=user,
            link=link,
            expires_at=expires_at,
            hours=current_app.config["PASSWORD_RESET_LINK_HOURS"],
            subject=subject,
            language=language,
        )
        text = render_template("email/password_reset.txt", **context)
        html = render_template("email/password_reset.html", **context)
    enqueue_mail(to=user.email, subject=subject, text=text, html=html, kind="password_reset")
