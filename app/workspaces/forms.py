"""Forms of the workspace pages."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.auth.forms import email_field
from app.form_filters import clean_text
from app.models.workspace import ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in reversed(ROLES)]


def role_field() -> SelectField:
    return SelectField("Role", choices=ROLE_CHOICES, default="editor")


class WorkspaceForm(FlaskForm):
    name = StringField(
        "Workspace name",
        filters=[clean_text],
        validators=[DataRequired("Name the workspace."), Length(max=120)],
    )


class InviteForm(FlaskForm):
    email = email_field("Their email")
    role = role_field()


class RoleForm(FlaskForm):
    role = role_field()


class SwitchForm(FlaskForm):
    workspace = IntegerField("Workspace", validators=[InputRequired("Choose a workspace.")])
