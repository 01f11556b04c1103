from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.checklist.models import ChecklistItem
from tracker.checklist.services import MAX_COMMENT_LENGTH, MAX_REASON_LENGTH
from tracker.enums import Status
from tracker.forms import BoundedDateField, BoundedIntegerField, TrackerForm

if TYPE_CHECKING:
    from tracker.checklist.controls import ItemControls

MAX_NEXT_LENGTH = 2000


class ItemUpdateForm(TrackerForm):
    status = SelectField(_l("Status"), choices=Status.choices(), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (when blocked or not applicable)"),
        validators=[Optional(), Length(max=MAX_REASON_LENGTH)],
    )
    assignee_id = SelectField(_l("Assignee"), coerce=int, default=0)
    due_date = BoundedDateField(_l("Due date"), validators=[Optional()])
    version = BoundedIntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )
    # Where to go back to after saving: a path on this site (see safe_next), of bounded length.
    next = HiddenField(_l("Return address"), validators=[Optional(), Length(max=MAX_NEXT_LENGTH)])
    submit = SubmitField(_l("Save"))

    @classmethod
    def posted(cls, item: ChecklistItem, controls: ItemControls, formdata) -> ItemUpdateForm:
        """``item``'s form as posted, accepting what its controls offer the user (the
        project page's choices: tracker.checklist.controls), prefixed as they are."""
        offered = controls.for_item(item)
        form = cls(formdata=formdata, prefix=offered.prefix.removesuffix("-"))
        form.status.choices = offered.statuses
        form.assignee_id.choices = [(int(value), label) for value, label in offered.assignees]
        if offered.due_date is None:
            del form.due_date
        return form


class CommentForm(TrackerForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=MAX_COMMENT_LENGTH)])
    submit = SubmitField(_l("Add comment"))
