from __future__ import annotations

from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from tracker.forms import BoundedIntegerField, TrackerForm
from tracker.queryargs import MAX_INT


class ApplyRolloutForm(TrackerForm):
    """Apply a previewed rollout: the version to move to and the project's version the
    preview was read at (a stale preview is a conflict)."""

    to = BoundedIntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
    version = BoundedIntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
