from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from tracker.checklist.controls import ItemControls, item_prefix
from tracker.checklist.services import (
    MAX_COMMENT_LENGTH,
    MAX_REASON_LENGTH,
    UNCHANGED,
    ItemChange,
)
from tracker.enums import Status
from tracker.forms import BoundedDateField, BoundedIntegerField, TrackerForm, UploadField
from tracker.models import ChecklistItem
from tracker.queryargs import MAX_INT
from tracker.urls import MAX_NEXT_LENGTH

# WTForms' own message for a choice not offered, translated by WTForms' catalogue (a
# constant: not one of the tracker's messages to extract).
INVALID_CHOICE = "Not a valid choice."


class ItemUpdateForm(TrackerForm):
    status = SelectField(_l("Status"), choices=Status.choices(), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (when blocked or not applicable)"),
        validators=[Optional(), Length(max=MAX_REASON_LENGTH)],
    )
    # Checked alone (validate_assignee_id), not against a menu of every user who may be
    # assigned the item: validate_choice off.
    assignee_id = SelectField(_l("Assignee"), coerce=int, default=0, validate_choice=False)
    due_date = BoundedDateField(_l("Due date"), validators=[Optional()])
    version = BoundedIntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
    # Where to go back to after saving: a path on this site (see safe_next), of bounded length.
    next = HiddenField(_l("Return address"), validators=[Optional(), Length(max=MAX_NEXT_LENGTH)])
    submit = SubmitField(_l("Save"))

    @classmethod
    def posted(cls, item: ChecklistItem, controls: ItemControls, formdata) -> ItemUpdateForm:
        """``item``'s form as posted, accepting what its controls offer the user (the
        project page's choices: tracker.checklist.controls), prefixed as they are. A field
        not posted keeps the item's value: the project page's status menu posts the status
        alone."""
        prefix = item_prefix(item)
        kept = {
            f"{prefix}reason": item.reason or "",
            f"{prefix}assignee_id": str(item.assignee_id or 0),
            f"{prefix}due_date": item.due_date.isoformat() if item.due_date else "",
        }
        merged = MultiDict({name: value for name, value in kept.items() if name not in formdata})
        merged.update(formdata)
        form = cls(formdata=merged, prefix=prefix.removesuffix("-"))
        form.status.choices = controls.statuses(item)
        form._accepts_assignee = partial(controls.accepts_assignee, item)
        if not controls.may_move(item):
            del form.due_date
        return form

    def change(self) -> ItemChange:
        """The change asked for, as the checklist's use case takes it."""
        return ItemChange(
            status=Status(self.status.data),
            reason=self.reason.data,
            assignee_id=self.assignee_id.data,
            due_date=self.due_date.data if "due_date" in self else UNCHANGED,
        )

    def validate_assignee_id(self, field) -> None:
        """The assignee posted must be one the item's controls offer (``posted``); a form
        made otherwise accepts none."""
        accepts = getattr(self, "_accepts_assignee", None)
        if accepts is None or not accepts(field.data):
            raise ValidationError(field.gettext(INVALID_CHOICE))


class CommentForm(TrackerForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=MAX_COMMENT_LENGTH)])
    internal = BooleanField(_l("Internal: not shown to the client"))
    # Optional: a file attached to the comment (tracker.files), checked by the service.
    file = UploadField(_l("Attach a file (optional)"))
    submit = SubmitField(_l("Add comment"))


class AttachmentForm(TrackerForm):
    """A file attached to an item: its name, size and type are checked by the service
    (tracker.files.services.attach_file), which says what is wrong on this field."""

    file = UploadField(_l("File"))
    submit = SubmitField(_l("Attach"))


class DecisionForm(TrackerForm):
    """The project page's items to decide: one open item whose row no longer applies, marked
    not applicable with the rule's reason ("retire"), or kept open with a note ("keep")."""

    decision = SelectField(
        choices=[
            SelectChoice("retire", _l("Mark not applicable")),
            SelectChoice("keep", _l("Keep open")),
        ],
        validators=[InputRequired()],
    )
    note = TextAreaField(_l("Why it stays open"), validators=[Length(max=MAX_COMMENT_LENGTH)])
    version = BoundedIntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)]
    )
