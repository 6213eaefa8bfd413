"""The account page's forms. Each has its own prefix, so several share one page and only the
one that was posted reads the request."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.auth.forms import email_field, new_password
from app.form_filters import clean_text


def current_password() -> PasswordField:
    # Asked before the email or password changes, so an open laptop can't take the account.
    return PasswordField("Current password", validators=[DataRequired("Enter your password.")])


class NameForm(FlaskForm):
    name = StringField(
        "Name", filters=[clean_text], validators=[DataRequired("Enter your name."), Length(max=120)]
    )


class EmailForm(FlaskForm):
    email = email_field("New email")
    password = current_password()


class PasswordForm(FlaskForm):
    password = current_password()
    new_password = new_password("New password")


class DeleteForm(FlaskForm):
    confirm = StringField(
        "Type your email to confirm",
        filters=[clean_text],
        validators=[DataRequired("Type your account's email to confirm.")],
    )


FORMS = {"name": NameForm, "email": EmailForm, "password": PasswordForm, "delete": DeleteForm}
