from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.forms import BoundedDateField, BoundedIntegerField, TrackerForm
from tracker.golive.services import MAX_NOTE_LENGTH
from tracker.queryargs import MAX_INT

RATINGS = [SelectChoice("", _l("No rating"))] + [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class ApproverForm(TrackerForm):
    user_id = BoundedIntegerField(
        _l("Approver"), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )


class WaiverForm(TrackerForm):
    reason = TextAreaField(
        _l("Why go-live may go ahead without it"),
        validators=[DataRequired(), Length(max=MAX_NOTE_LENGTH)],
    )
    submit = SubmitField(_l("Waive for go-live"))


class SignOffForm(TrackerForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=MAX_NOTE_LENGTH)])
    rating = SelectField(_l("How was the onboarding? (1 to 5)"), choices=RATINGS, default="")
    rating_comment = TextAreaField(
        _l("Comment on the onboarding (optional)"), validators=[Length(max=MAX_NOTE_LENGTH)]
    )
    submit = SubmitField(_l("Sign go-live off"))

    @property
    def rating_value(self) -> int | None:
        return int(self.rating.data) if self.rating.data else None


class ConfirmGoLiveForm(TrackerForm):
    went_live_on = BoundedDateField(_l("Went live on"), validators=[Optional()])
