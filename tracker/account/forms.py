from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length

from tracker.forms import TrackerForm
from tracker.i18n import LANGUAGES
from tracker.timezones import DEFAULT_TIME_ZONE, is_zone, offered_zones


class TokenForm(TrackerForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("What will use it, e.g. “CRM sync”."),
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(TrackerForm):
    submit = SubmitField(_l("Revoke"))


class PreferencesForm(TrackerForm):
    """The daily reminder e-mail, on or off, the language of pages and e-mails, and the time
    zone their times are shown in.

    Shown with the prefix ``preferences`` so that its fields' ids differ from the token
    form's on the same page."""

    digest_enabled = BooleanField(
        _l("Send me a daily e-mail of my overdue items and of those due in the coming week"),
        description=_l("Sent only on days when there is something to tell you."),
    )
    # Not sent (an older form): unchanged.
    notification_email = SelectField(
        _l("E-mail me my notifications"),
        choices=[
            SelectChoice("at_once", _l("At once (at most one e-mail every 10 minutes)")),
            SelectChoice("digest", _l("In the daily e-mail only")),
            SelectChoice("off", _l("Never")),
        ],
        validate_choice=False,
        description=_l("The bell at the top of each page shows them in any case."),
    )
    language = SelectField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    # One of the offered zones (validate_time_zone; the service checks it is a zone).
    time_zone = SelectField(
        _l("Time zone"),
        validate_choice=False,
        description=_l(
            "Times on the pages, in e-mails and in exports are shown in this zone, and the "
            "daily e-mail goes out in its morning."
        ),
    )
    submit = SubmitField(_l("Save preferences"))

    def __init__(self, *args, current_zone: str | None = None, **kwargs) -> None:
        """``current_zone``: the zone the user reads times in, offered even if it is in no
        area."""
        kwargs.setdefault("prefix", "preferences")
        super().__init__(*args, **kwargs)
        self.time_zone.choices = zone_choices(current_zone)

    def validate_notification_email(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Choose one of the options."))

    def validate_time_zone(self, field) -> None:
        """One of the zones offered; not sent (None or empty) keeps the user's zone."""
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Choose a time zone from the list."))


def zone_choices(current: str | None) -> list[SelectChoice]:
    """UTC, then the zones of each area under its name (IANA names: "Paris" under "Europe");
    a current zone offered in no area (an alias such as "US/Eastern") first, so that it
    shows as chosen."""
    choices = [SelectChoice(DEFAULT_TIME_ZONE, DEFAULT_TIME_ZONE)]
    offered = {DEFAULT_TIME_ZONE}
    for area, names in offered_zones():
        for name in names:
            label = name.split("/", 1)[1].replace("_", " ").replace("/", " / ")
            choices.append(SelectChoice(name, label, optgroup=area))
            offered.add(name)
    if is_zone(current) and current not in offered:
        choices.insert(0, SelectChoice(current, current))
    return choices
