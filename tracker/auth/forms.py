from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker.forms import EmailAddress


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), EmailAddress(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")
