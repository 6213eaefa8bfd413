"""The account page's forms. Each has its own prefix, so several share one page and only the
one that was posted reads the request."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.auth.forms import email_field, new_password
from app.form_filters import clean_text
from app.workspaces.forms import role_field
from app.workspaces.scope import my_memberships


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


class TokenForm(FlaskForm):
    """A personal access token for the API: one workspace, a role no higher than one's own."""

    name = StringField(
        "Token name",
        filters=[clean_text],
        validators=[DataRequired("Name the token, like “release script”."), Length(max=80)],
    )
    workspace = SelectField("Workspace", coerce=int)
    role = role_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace.choices = [
            SelectChoice(m.workspace_id, m.workspace.name) for m in my_memberships()
        ]


FORMS = {
    "name": NameForm,
    "email": EmailForm,
    "password": PasswordForm,
    "delete": DeleteForm,
    "token": TokenForm,
}
