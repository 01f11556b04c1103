"""The feed itself (no sign-in: its URL is the credential) and its settings, which the
account page shows (templates/account/_calendar.html)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.calendar.forms import FeedForm
from tracker.calendar.queries import feed_items_select
from tracker.calendar.services import (
    feed_calendar,
    feed_is_on,
    feed_owner,
    feed_token,
    reset_feed,
    turn_off_feed,
    turn_on_feed,
)
from tracker.extensions import db
from tracker.i18n import language_of
from tracker.models import User
from tracker.timeutil import today, utcnow
from tracker.timezones import reading_in, zone_name_of

bp = Blueprint("calendar", __name__)

# Calendar apps poll the feed; a client may reuse its copy for five minutes. "private": the
# feed is one person's, so no shared cache (proxy, CDN) may keep it and serve it on, or
# serve it after the URL is revoked. (no-store would also keep it off the client's disk, but
# the point of the feed is that a calendar app stores its events.)
FEED_CACHE_CONTROL = "private, max-age=300"


@bp.route("/calendar/<int:user_id>/<token>.ics")
def feed(user_id: int, token: str):
    """The iCalendar feed of the user whose URL this is; 404 for any other URL."""
    user = feed_owner(user_id, token)
    if user is None:
        abort(404)
    rows = db.session.execute(feed_items_select(user)).all()
    # The owner's language and time zone, as their e-mails: what is overdue is by their date.
    with force_locale(language_of(user)), reading_in(zone_name_of(user)):
        calendar = feed_calendar(
            user,
            rows,
            host=urlsplit(request.host_url).hostname or "localhost",
            item_url=lambda project_id, item_id: url_for(
                "checklist.item", project_id=project_id, item_id=item_id, _external=True
            ),
            now=utcnow(),
            on=today(),
        )
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    return response


@dataclass(frozen=True)
class FeedPanel:
    """What the account page shows of a user's feed."""

    url: str | None  # None while the feed is off
    form: FeedForm


@bp.app_template_global()
def calendar_feed_panel(user: User) -> FeedPanel:
    url = None
    if feed_is_on(user):
        url = url_for("calendar.feed", user_id=user.id, token=feed_token(user), _external=True)
    return FeedPanel(url=url, form=FeedForm(formdata=None))


def _back():
    return redirect(url_for("account.index") + "#calendar")


@bp.route("/account/calendar/on", methods=["POST"])
@login_required
def turn_on():
    if FeedForm().validate() and turn_on_feed(current_user):
        flash(_("Calendar feed turned on: add its URL to your calendar app."), "success")
    return _back()


@bp.route("/account/calendar/reset", methods=["POST"])
@login_required
def reset():
    if FeedForm().validate():
        reset_feed(current_user)
        flash(_("New calendar feed URL: the previous one no longer works."), "success")
    return _back()


@bp.route("/account/calendar/off", methods=["POST"])
@login_required
def turn_off():
    if FeedForm().validate():
        turn_off_feed(current_user)
        flash(_("Calendar feed turned off: its URL no longer works."), "success")
    return _back()
