"""Form pieces shared by several features."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectMultipleField,
    ValidationError,
    widgets,
)

from tracker.errors import InvalidInput, Refusal
from tracker.i18n import DEFAULT_LANGUAGE, current_language
from tracker.text import has_control_characters
from tracker.timeutil import EARLIEST, LATEST


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class BoundedDateField(DateField):
    """A date within 2000-2100: the bounds of a believable project plan."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not (EARLIEST <= self.data <= LATEST):
            raise ValidationError(
                _(
                    "Give a date between %(first)s and %(last)s.",
                    first=EARLIEST.year,
                    last=LATEST.year,
                )
            )


class EmailAddress:
    """A syntactically valid address. The ``.test`` domain is accepted (demo and test accounts),
    and nothing is looked up in DNS. The validator library explains what is wrong in English;
    other languages get a shorter message of their own."""

    def __call__(self, form, field) -> None:
        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            if current_language() == DEFAULT_LANGUAGE:
                raise ValidationError(str(error)) from error
            raise ValidationError(_("This email address is not valid.")) from error


class TrackerForm(FlaskForm):
    """The base of every form: refuses control characters in any submitted text, naming
    the field, before any other check runs."""

    def validate(self, extra_validators=None) -> bool:
        clean = True
        for field in self:
            if isinstance(field, BooleanField):
                continue  # checkboxes and buttons: only whether they were sent counts
            raw = field.raw_data or []
            if any(isinstance(value, str) and has_control_characters(value) for value in raw):
                field.errors = [*field.process_errors, _("Remove the control characters.")]
                clean = False
        if not clean:
            return False
        return super().validate(extra_validators)

    def check(self) -> None:
        """Validate the submitted form; ``InvalidInput`` (shown by the request boundary with
        the form's own errors) when it does not validate."""
        if not self.validate():
            raise InvalidInput(self)

    def show(self, refusal: Refusal) -> None:
        """Show ``refusal`` on the form: on the field it names, else above the fields."""
        if isinstance(refusal, InvalidInput):
            return
        field = self._fields.get(refusal.field) if refusal.field else None
        if field is not None:
            field.errors = [*field.errors, refusal.message]
        else:
            self.form_errors.append(refusal.message)


class BoundedIntegerField(IntegerField):
    """A whole number of at most ``digits`` ASCII digits, refused before any arithmetic (a
    huge number would overflow the range check)."""

    def __init__(self, *args, digits: int = 10, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.digits = digits

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            raw = valuelist[0]
            if (
                not isinstance(raw, str)
                or not (raw.isascii() and raw.isdigit())
                or len(raw) > self.digits
            ):
                self.data = None
                raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class UploadField(FileField):
    """A file input: at most one file; text sent in its place (or several values) is
    refused on the field. What the file may be is the service's check (tracker.files)."""

    def process_formdata(self, valuelist) -> None:
        self.sent = [value for value in valuelist if value]  # Flask-WTF drops all but files
        super().process_formdata(valuelist)

    def pre_validate(self, form) -> None:
        sent = getattr(self, "sent", [])
        if len(sent) > 1:
            raise ValidationError(_("Send one file at a time."))
        if any(isinstance(value, str) for value in sent):
            raise ValidationError(_("Choose a file to attach."))
