"""Form pieces shared by several features."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectMultipleField,
    ValidationError,
    widgets,
)
from wtforms.i18n import messages_path

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


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
        from email_validator import EmailNotValidError, validate_email

        from tracker.account.language import DEFAULT_LANGUAGE, current_language

        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            if current_language() == DEFAULT_LANGUAGE:
                raise ValidationError(str(error)) from error
            raise ValidationError(_("This email address is not valid.")) from error


# C0 and C1 control characters (Unicode category Cc) but tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str) -> bool:
    """NUL and other control characters (tab and line breaks excepted) that no person types;
    PostgreSQL cannot even store NUL in text."""
    return bool(_CONTROL.search(value))


@lru_cache(maxsize=8)
def _wtforms_catalogue(language: str) -> support.Translations:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages ("Not a valid choice.", "This field is required.") in the page's
    language, as Flask-WTF gives them, but with WTForms' catalogue read once per language and
    process: Flask-WTF reads the file again on every request that makes a form."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale() or "en")).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale() or "en")).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


class TrackerForm(FlaskForm):
    """The base of every form: refuses control characters in any submitted text, naming
    the field, before any other check runs."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return WTFORMS_MESSAGES

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
