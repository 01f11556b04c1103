from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.enums import OrganisationKind, Role
from tracker.forms import EmailAddress

MIN_PASSWORD_LENGTH = 10


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EmailAddress(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=Role.choices(), validators=[InputRequired()])
    organisation_id = SelectField(
        "Organisation",
        coerce=int,
        default=0,
        description="Clients belong to a customer, partner "
        "consultants to a partner; others to none.",
    )
    password = PasswordField(
        "Password", validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    active = BooleanField("Active", default=True)
    submit = SubmitField("Save user")


class OrganisationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=OrganisationKind.choices(), validators=[InputRequired()])
    submit = SubmitField("Save organisation")
