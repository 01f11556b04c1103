"""Form pieces shared by several features."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, SelectMultipleField, ValidationError, widgets

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class BoundedDateField(DateField):
    """A date within 2000-2100: the bounds of a believable project plan."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not (EARLIEST <= self.data <= LATEST):
            raise ValidationError(f"Give a date between {EARLIEST.year} and {LATEST.year}.")


class EmailAddress:
    """A syntactically valid address. The ``.test`` domain is accepted (demo and test accounts),
    and nothing is looked up in DNS."""

    def __call__(self, form, field) -> None:
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            raise ValidationError(str(error)) from error
