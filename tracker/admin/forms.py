from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.auth.forms import new_password_help
from tracker.auth.passwords import PasswordPolicy, personal_words
from tracker.enums import OrganisationKind, Role
from tracker.forms import EmailAddress, TrackerForm


class UserForm(TrackerForm):
    email = EmailField(
        "Email", validators=[InputRequired(), DataRequired(), EmailAddress(), Length(max=254)]
    )
    name = StringField("Name", validators=[InputRequired(), DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=Role.choices(), validators=[InputRequired()])
    organisation_id = SelectField(
        "Organisation",
        coerce=int,
        default=0,
        description="Clients belong to a customer, partner "
        "consultants to a partner; others to none.",
    )
    password = PasswordField(
        "Password",
        validators=[Optional(), PasswordPolicy()],
        render_kw={"autocomplete": "new-password"},
    )
    active = BooleanField("Active", default=True)
    submit = SubmitField("Save user")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.description = new_password_help()

    def personal_words(self) -> list[str]:
        """The password policy treats the user's own email and name as guessable."""
        return personal_words(self.email.data, self.name.data)


class OrganisationForm(TrackerForm):
    name = StringField("Name", validators=[InputRequired(), DataRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=OrganisationKind.choices(), validators=[InputRequired()])
    submit = SubmitField("Save organisation")
