from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.forms import TrackerForm
from tracker.sharing.services import EXPIRY_DAYS


def _expiry_choices() -> list[tuple[int, str]]:
    return [(days, ngettext("%(num)s day", "%(num)s days", days)) for days in EXPIRY_DAYS]


class ProgressLinkForm(TrackerForm):
    label = StringField(
        _l("Who it is for"),
        validators=[InputRequired(), DataRequired(), Length(max=80)],
        description=_l("E.g. “Steering committee”: to tell your links apart."),
    )
    days = SelectField(_l("Works for"), coerce=int, validators=[InputRequired()], default=30)
    submit = SubmitField(_l("Create link"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.days.choices = _expiry_choices()


class RevokeLinkForm(TrackerForm):
    submit = SubmitField(_l("Revoke"))
