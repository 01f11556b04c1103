from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

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
