from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.enums import Phase
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


class StartRolloutForm(TrackerForm):
    """Start a bulk rollout: the version and the filters the preview was read with: the
    projects are chosen again from them, among those the user may move."""

    to = BoundedIntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
    from_version = BoundedIntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_INT)]
    )
    csm = BoundedIntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_INT)]
    )
    customer = BoundedIntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_INT)]
    )
    phase = SelectField(
        widget=HiddenInput(),
        choices=[SelectChoice("", ""), *(SelectChoice(p.value, p.value) for p in Phase)],
        validators=[Optional()],
    )
    behind = BooleanField(widget=HiddenInput())


class ContinueRunForm(TrackerForm):
    """Move the run's next batch of projects (a button, or the progress page's script)."""
