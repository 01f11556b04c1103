from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from tracker.projects.services import ProjectData


class ProjectForm(TrackerForm):
    # InputRequired as well: DataRequired alone lets an edit left without the field keep
    # the stored name (it checks the data, which comes from the project).
    name = StringField(
        _l("Project name"), validators=[InputRequired(), DataRequired(), Length(max=120)]
    )
    customer_id = SelectField(_l("Customer"), coerce=int, validators=[InputRequired()])
    csm_id = SelectField(_l("Customer Success Manager"), coerce=int, validators=[InputRequired()])
    deployment = RadioField(
        _l("Deployment"),
        choices=Deployment.choices(),
        default=Deployment.MULTI_TENANT.value,
        validators=[InputRequired()],
    )
    environment = RadioField(
        _l("Environment"),
        choices=Environment.choices(),
        default=Environment.PROD.value,
        validators=[InputRequired()],
    )
    ims_contract = BooleanField(_l("IMS contract (Infor Managed Services)"))
    ims_scope = MultiCheckboxField(
        _l("Client responsibilities the IMS contract covers"), validators=[Optional()]
    )
    implementer = RadioField(
        _l("Implemented by"),
        choices=Implementer.choices(),
        default=Implementer.INFOR.value,
        validators=[InputRequired()],
    )
    partner_id = SelectField(_l("Partner"), coerce=int, default=0)
    data_migration = BooleanField(_l("Data migration with the Data Migration Factory (DMF)"))
    vpn_required = BooleanField(_l("VPN required"))
    kickoff_date = BoundedDateField(_l("Kickoff date"), validators=[InputRequired()])
    go_live_date = BoundedDateField(_l("Target go-live date"), validators=[InputRequired()])
    # A new project's form: its own random token (see create_project), set when shown.
    creation_token = HiddenField(
        validators=[Optional(), Regexp(r"^[0-9a-f]{32}\Z", message=_l("Not a form token."))]
    )
    # The project version the form was loaded at (empty on a new project): a whole number.
    version = HiddenField(
        _l("Version"),
        validators=[Optional(), Regexp(r"^[0-9]{1,10}\Z", message=_l("Not a version."))],
    )
    submit = SubmitField(_l("Save project"))

    def fill(self, data: ProjectData, version: int) -> None:
        """Show a project's saved values (``ProjectForm(obj=project)`` reads the simple ones);
        without a contract, the IMS scope offered is every eligible row."""
        for name in ("name", "kickoff_date", "go_live_date", "ims_contract"):
            getattr(self, name).data = getattr(data, name)
        for name in ("deployment", "environment", "implementer"):
            getattr(self, name).data = getattr(data, name).value
        self.data_migration.data = data.data_migration
        self.vpn_required.data = data.vpn_required
        self.customer_id.data = data.customer_id
        self.csm_id.data = data.csm_id
        self.partner_id.data = data.partner_id or 0
        eligible = [key for key, _ in self.ims_scope.choices]
        self.ims_scope.data = sorted(data.ims_scope) if data.ims_scope is not None else eligible
        self.version.data = str(version)

    def project_data(self) -> ProjectData:
        """The project as typed, as the projects' use cases take it."""
        return ProjectData(
            name=self.name.data,
            customer_id=self.customer_id.data,
            csm_id=self.csm_id.data,
            deployment=Deployment(self.deployment.data),
            environment=Environment(self.environment.data),
            ims_contract=self.ims_contract.data,
            implementer=Implementer(self.implementer.data),
            partner_id=self.partner_id.data or None,
            data_migration=self.data_migration.data,
            vpn_required=self.vpn_required.data,
            kickoff_date=self.kickoff_date.data,
            go_live_date=self.go_live_date.data,
            ims_scope=set(self.ims_scope.data or []),
        )

    def read_version(self) -> int:
        """The project version the form was loaded at (0: unknown, never current)."""
        return int(self.version.data) if self.version.data else 0

    # Shown with the form's other errors on the first submit (the service checks them too).
    def validate_customer_id(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Choose a customer."))

    def validate_csm_id(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Choose an active CSM."))

    def validate_go_live_date(self, field) -> None:
        if self.kickoff_date.data and field.data and field.data < self.kickoff_date.data:
            raise ValidationError(_("The go-live date cannot be before the kickoff date."))

    def validate_partner_id(self, field) -> None:
        if self.implementer.data == Implementer.PARTNER.value and not field.data:
            raise ValidationError(_("Choose the implementation partner."))
