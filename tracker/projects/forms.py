from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from tracker.enums import Deployment, Environment, Implementer
from tracker.forms import BoundedDateField, MultiCheckboxField, TrackerForm


class ProjectForm(TrackerForm):
    # InputRequired as well: DataRequired alone lets an edit left without the field keep
    # the stored name (it checks the data, which comes from the project).
    name = StringField(
        "Project name", validators=[InputRequired(), DataRequired(), Length(max=120)]
    )
    customer_id = SelectField("Customer", coerce=int, validators=[InputRequired()])
    csm_id = SelectField("Customer Success Manager", coerce=int, validators=[InputRequired()])
    deployment = RadioField(
        "Deployment",
        choices=Deployment.choices(),
        default=Deployment.MULTI_TENANT.value,
        validators=[InputRequired()],
    )
    environment = RadioField(
        "Environment",
        choices=Environment.choices(),
        default=Environment.PROD.value,
        validators=[InputRequired()],
    )
    ims_contract = BooleanField("IMS contract (Infor Managed Services)")
    ims_scope = MultiCheckboxField(
        "Client responsibilities the IMS contract covers", validators=[Optional()]
    )
    implementer = RadioField(
        "Implemented by",
        choices=Implementer.choices(),
        default=Implementer.INFOR.value,
        validators=[InputRequired()],
    )
    partner_id = SelectField("Partner", coerce=int, default=0)
    data_migration = BooleanField("Data migration with the Data Migration Factory (DMF)")
    vpn_required = BooleanField("VPN required")
    kickoff_date = BoundedDateField("Kickoff date", validators=[InputRequired()])
    go_live_date = BoundedDateField("Target go-live date", validators=[InputRequired()])
    # The project version the form was loaded at (empty on a new project): a whole number.
    version = HiddenField(
        "Version", validators=[Optional(), Regexp(r"^[0-9]{1,10}\Z", message="Not a version.")]
    )
    submit = SubmitField("Save project")

    def validate_go_live_date(self, field) -> None:
        if self.kickoff_date.data and field.data and field.data < self.kickoff_date.data:
            raise ValidationError("The go-live date cannot be before the kickoff date.")

    def validate_partner_id(self, field) -> None:
        if self.implementer.data == Implementer.PARTNER.value and not field.data:
            raise ValidationError("Choose the implementation partner.")
