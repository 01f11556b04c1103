from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.auth.forms import ResetPasswordForm
from tracker.forms import EmailAddress, TrackerForm
from tracker.i18n import LANGUAGES
from tracker.people.services import InvitationData


class InvitationForm(TrackerForm):
    email = EmailField(
        _l("Email"), validators=[InputRequired(), DataRequired(), EmailAddress(), Length(max=254)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(), DataRequired(), Length(max=120)])
    is_lead = BooleanField(
        _l("Lead"),
        description=_l("A lead may invite and deactivate colleagues of their organisation."),
    )
    language = SelectField(
        _l("Language of the invitation and of their account"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Send the invitation"))

    def data_sent(self) -> InvitationData:
        return InvitationData(
            email=self.email.data,
            name=self.name.data,
            is_lead=bool(self.is_lead.data),
            language=self.language.data,
        )


class AcceptInvitationForm(ResetPasswordForm):
    """Choosing one's password when accepting an invitation (the password policy treats the
    invitee's address and name as guessable)."""

    submit = SubmitField(_l("Create my account"))
