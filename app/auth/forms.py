"""Sign-up and log-in forms."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from app.form_filters import clean_text

MIN_PASSWORD = 10
INVALID_EMAIL = "Enter a valid email address."


def email_address(form, field):
    """A syntactically valid address. In development the special-use `.test` domain passes
    too, because the demo account (demo@dropday.test) and local trials use it."""
    try:
        validate_email(
            field.data or "",
            check_deliverability=False,
            test_environment=current_app.config["DROPDAY_ENV"] == "development",
        )
    except EmailNotValidError:
        raise ValidationError(INVALID_EMAIL) from None


def new_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=f"Use at least {MIN_PASSWORD} characters.",
            ),
        ],
    )


def email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        filters=[clean_text],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message=INVALID_EMAIL),
            email_address,
        ],
    )


class SignupForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[DataRequired("Enter your name."), Length(max=120)],
    )
    email = email_field()
    password = new_password()


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", filters=[clean_text], validators=[DataRequired("Enter your email address.")]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = new_password("New password")
