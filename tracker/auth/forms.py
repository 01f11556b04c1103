from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.auth.passwords import MAX_LENGTH, PasswordPolicy, personal_words
from tracker.forms import EmailAddress, TrackerForm
from tracker.timezones import is_zone


def new_password_help() -> str:
    return _(
        "At least %(num)d characters, and not a common or easily guessed password: a phrase "
        "of a few unrelated words works well.",
        num=current_app.config["PASSWORD_MIN_LENGTH"],
    )


class TimeZoneGuess(HiddenField):
    """The browser's time zone, filled in by static/js/time-zone.js: a known zone name, or
    None for anything else (no script, an unknown name, garbage). Never a reason to refuse
    the form: what was sent is not kept for the form's checks."""

    # Bounded by dropping: an invalid value is ignored, never refused (tests/hostile.py).
    ignores_invalid = True

    def process_formdata(self, valuelist) -> None:
        value = valuelist[0] if valuelist else None
        self.data = value if is_zone(value) else None
        self.raw_data = []


class LoginForm(TrackerForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))
    time_zone = TimeZoneGuess(render_kw={"data-time-zone-guess": ""})
    submit = SubmitField(_l("Sign in"))


def _new_password_field():
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(), PasswordPolicy()],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field():
    return PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class _NewPasswordForm(TrackerForm):
    """A form that sets a new password for the account ``owner``: the policy treats the
    owner's email and name as guessable."""

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.new_password.description = new_password_help()

    def personal_words(self) -> list[str]:
        return personal_words(self.owner.email, self.owner.name)


class ChangePasswordForm(_NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField(_l("Change password"))


class ResetPasswordForm(_NewPasswordForm):
    new_password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField(_l("Set password"))


class ForgotPasswordForm(TrackerForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), EmailAddress(), Length(max=254)],
        description=_l("The address you sign in with."),
    )
    submit = SubmitField(_l("Send me a link"))
