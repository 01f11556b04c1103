from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker.account.language import LANGUAGES
from tracker.forms import TrackerForm


class TokenForm(TrackerForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=80)],
        description="What will use it, e.g. “CRM sync”.",
    )
    submit = SubmitField("Create token")


class RevokeForm(TrackerForm):
    submit = SubmitField("Revoke")


class PreferencesForm(TrackerForm):
    """The daily reminder e-mail, on or off, and the language of e-mails (and, later, pages).

    Shown with the prefix ``preferences`` so that its fields' ids differ from the token
    form's on the same page."""

    digest_enabled = BooleanField(
        "Send me a daily e-mail of my overdue items and of those due in the coming week",
        description="Sent only on days when there is something to tell you.",
    )
    language = SelectField(
        "Language", choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    submit = SubmitField("Save preferences")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "preferences")
        super().__init__(*args, **kwargs)
