from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker.forms import TrackerForm
from tracker.i18n import LANGUAGES


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
    """The daily reminder e-mail, on or off, and the language of pages and e-mails.

    Shown with the prefix ``preferences`` so that its fields' ids differ from the token
    form's on the same page."""

    digest_enabled = BooleanField(
        _l("Send me a daily e-mail of my overdue items and of those due in the coming week"),
        description=_l("Sent only on days when there is something to tell you."),
    )
    language = SelectField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    submit = SubmitField(_l("Save preferences"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "preferences")
        super().__init__(*args, **kwargs)
