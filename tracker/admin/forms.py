from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.auth.forms import new_password_help
from tracker.auth.passwords import PasswordPolicy, personal_words
from tracker.enums import OrganisationKind, Role
from tracker.forms import EmailAddress, TrackerForm


class UserForm(TrackerForm):
    email = EmailField(
        _l("Email"), validators=[InputRequired(), DataRequired(), EmailAddress(), Length(max=254)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(), DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=Role.choices(), validators=[InputRequired()])
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        default=0,
        description=_l(
            "Clients belong to a customer, partner consultants to a partner; others to none."
        ),
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), PasswordPolicy()],
        render_kw={"autocomplete": "new-password"},
    )
    is_lead = BooleanField(
        _l("Lead of their organisation"),
        description=_l(
            "Client users and partner consultants only: a lead invites and deactivates "
            "colleagues of their own organisation."
        ),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save user"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.description = new_password_help()

    def values(self) -> dict:
        """The user as typed, as the administration's use cases take it."""
        return {
            "email": self.email.data,
            "name": self.name.data,
            "role": Role(self.role.data),
            "organisation_id": self.organisation_id.data or None,
            "password": self.password.data,
            "active": self.active.data,
            "is_lead": self.is_lead.data,
        }

    def personal_words(self) -> list[str]:
        """The password policy treats the user's own email and name as guessable."""
        return personal_words(self.email.data, self.name.data)


class OrganisationForm(TrackerForm):
    name = StringField(_l("Name"), validators=[InputRequired(), DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=OrganisationKind.choices(), validators=[InputRequired()])
    submit = SubmitField(_l("Save organisation"))
