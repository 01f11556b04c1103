from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.auth.models import User
from tracker.checklist.models import ChecklistItem
from tracker.checklist.services import MAX_COMMENT_LENGTH, MAX_REASON_LENGTH
from tracker.enums import Status
from tracker.forms import BoundedDateField, BoundedIntegerField, TrackerForm
from tracker.permissions import can_change_due_date, can_mark_not_applicable

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
    def for_item(
        cls, item: ChecklistItem, assignable: list[User], user: User, formdata=None
    ) -> ItemUpdateForm:
        """The update form for ``item`` as ``user`` may use it, prefixed to be unique on a page."""
        form = cls(formdata=formdata, prefix=f"item{item.id}")
        statuses = list(Status)
        if not can_mark_not_applicable(user, item) and item.status is not Status.NOT_APPLICABLE:
            statuses.remove(Status.NOT_APPLICABLE)
        form.status.choices = [(s.value, s.label) for s in statuses]
        choices = [(u.id, u.name) for u in assignable]
        if item.assignee is not None and item.assignee_id not in dict(choices):
            choices.append((item.assignee_id, item.assignee.name))
        form.assignee_id.choices = [(0, _l("Unassigned")), *choices]
        if not can_change_due_date(user, item):
            del form.due_date
        if formdata is None:
            form.status.data = item.status.value
            form.reason.data = item.reason
            form.assignee_id.data = item.assignee_id or 0
            if "due_date" in form:
                form.due_date.data = item.due_date
            form.version.data = item.version
        return form


class CommentForm(TrackerForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=MAX_COMMENT_LENGTH)])
    submit = SubmitField(_l("Add comment"))
