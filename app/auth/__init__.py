"""Artist sign-up, log-in, log-out and password reset (views; the reset link and its mail are
in password_reset.py)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.auth.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from app.auth.password_reset import artist_for_reset, request_password_reset
from app.auth.session import end_all_sessions, end_session, safe_next, start_session
from app.extensions import db, limiter
from app.models import Artist

bp = Blueprint("auth", __name__)

# Limits per client address, so a stranger locks out only themselves. Per account the limits
# are far higher: they slow a guesser spread over many addresses, not the artist.
FAILED_LOGINS = "10 per 15 minutes"
FAILED_LOGINS_PER_ACCOUNT = "100 per 15 minutes"
RESETS_PER_ADDRESS = "10 per hour"
RESETS_PER_ACCOUNT_AND_ADDRESS = "3 per hour"
RESETS_PER_ACCOUNT = "20 per hour"  # also keeps a flood of reset emails off the artist
TOO_MANY = "Too many attempts. Please wait {wait} and try again."


def _failed(response) -> bool:
    return response.status_code != 303


def _form_email() -> str:
    return Artist.normalize_email(request.form.get("email", ""))[:254]


def _login_email() -> str:
    return "login-email:" + _form_email()


def _reset_email() -> str:
    return "reset-email:" + _form_email()


def _reset_email_here() -> str:
    return f"reset-email:{_form_email()}@{get_remote_address()}"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], error_message=TOO_MANY)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignupForm()
    if form.validate_on_submit():
        artist = Artist(name=form.name.data, email=Artist.normalize_email(form.email.data))
        artist.set_password(form.password.data)
        db.session.add(artist)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            start_session(artist)
            flash(f"Welcome to Dropday, {artist.name}!", "success")
            return redirect(url_for("dashboard.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(FAILED_LOGINS, methods=["POST"], deduct_when=_failed, error_message=TOO_MANY)
@limiter.limit(
    FAILED_LOGINS_PER_ACCOUNT,
    methods=["POST"],
    key_func=_login_email,
    deduct_when=_failed,
    error_message=TOO_MANY,
)
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        artist = Artist.authenticate(form.email.data, form.password.data)
        if artist is not None:
            start_session(artist)
            return redirect(target, 303)
        # One message whether the email is unknown or the password wrong.
        form.form_errors.append("Email or password is incorrect.")
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"), 303)


RESET_SENT = (
    "If {email} has a Dropday account, a link to choose a new password is on its way. "
    "It works for one hour."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(RESETS_PER_ADDRESS, methods=["POST"], error_message=TOO_MANY)
@limiter.limit(
    RESETS_PER_ACCOUNT_AND_ADDRESS,
    methods=["POST"],
    key_func=_reset_email_here,
    error_message=TOO_MANY,
)
@limiter.limit(RESETS_PER_ACCOUNT, methods=["POST"], key_func=_reset_email, error_message=TOO_MANY)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer, and the same work, whether or not the address has an account.
        request_password_reset(form.email.data)
        flash(RESET_SENT.format(email=form.email.data), "info")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], error_message=TOO_MANY)
def reset_password(token: str):
    artist = artist_for_reset(token)
    if artist is None:
        return render_template("auth/reset_expired.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        artist.set_password(form.password.data)
        # A reset is what someone does who fears another has the password: end every session.
        end_all_sessions(artist)
        logout_user()
        flash("Your password is changed and every session is logged out. Log in again.", "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status
