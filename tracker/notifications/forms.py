from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SubmitField

from tracker.forms import TrackerForm


class WatchForm(TrackerForm):
    """Watch an item, or stop watching it (the item page's button)."""

    watching = SelectField(choices=[SelectChoice("1", "1"), SelectChoice("0", "0")])
    submit = SubmitField(_l("Watch"))


class MarkReadForm(TrackerForm):
    submit = SubmitField(_l("Mark read"))
