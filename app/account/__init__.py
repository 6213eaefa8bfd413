"""The artist's account page: name, email (confirmed by mail), password, sessions, deletion."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy.exc import IntegrityError

from app.account import api_tokens
from app.account.deletion import delete_account
from app.account.forms import FORMS
from app.auth.session import end_all_sessions, end_other_sessions
from app.extensions import db, limiter
from app.models import Artist

bp = Blueprint("account", __name__, url_prefix="/account")

CHECKED_TRIES = "10 per 15 minutes"
TOO_MANY = "Too many attempts. Please wait {wait} and try again."


def _page(posted=None, status: int = 200, new_token: str | None = None):
    """The account page; a form that was posted and refused is shown with its messages. A
    token just made is shown here, once: it is never stored and never in a cookie."""
    forms = {name: cls(prefix=name, formdata=None) for name, cls in FORMS.items()}
    forms["name"].name.data = current_user.name
    forms.update(posted or {})
    tokens = api_tokens.tokens_of(current_user)
    page = render_template("account/index.html", forms=forms, tokens=tokens, new_token=new_token)
    return page, status


def _posted(name: str):
    return FORMS[name](prefix=name)


def _back():
    return redirect(url_for("account.index"), 303)


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/name")
@login_required
def change_name():
    form = _posted("name")
    if not form.validate_on_submit():
        return _page({"name": form}, 422)
    current_user.name = form.name.data
    db.session.commit()
    flash("Your name is saved.", "success")
    return _back()


@bp.post("/email")
@login_required
@limiter.limit(CHECKED_TRIES, error_message=TOO_MANY)
def change_email():
    from app.account.mail import request_email_change

    form = _posted("email")
    if form.validate_on_submit():
        new_email = Artist.normalize_email(form.email.data)
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That isn't your current password.")
        elif new_email == current_user.email:
            form.email.errors.append("That is already your email.")
        else:
            request_email_change(current_user, new_email)
            flash(
                f"We sent a link to {new_email}. Your email changes when you open it; "
                "until then you keep logging in with the old one.",
                "info",
            )
            return _back()
    return _page({"email": form}, 422)


@bp.get("/confirm-email/<token>")
def confirm_email(token: str):
    from app.account.tokens import email_change

    found = email_change(token)
    if found is None:
        flash("That confirmation link has expired or was already used.", "error")
        return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))
    artist, new_email = found
    taken = db.session.scalar(db.select(Artist.id).filter_by(email=new_email))
    if taken is not None:
        flash(f"{new_email} belongs to another account now; your email stays.", "error")
    else:
        artist.email = new_email
        try:
            db.session.commit()
        except IntegrityError:  # taken between the check and the save
            db.session.rollback()
            flash(f"{new_email} belongs to another account now; your email stays.", "error")
        else:
            flash(f"Your email is now {new_email}.", "success")
    return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))


@bp.post("/password")
@login_required
@limiter.limit(CHECKED_TRIES, error_message=TOO_MANY)
def change_password():
    form = _posted("password")
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That isn't your current password.")
        else:
            current_user.set_password(form.new_password.data)
            db.session.commit()
            ended = end_other_sessions(current_user)
            others = f" {ended} other session(s) were logged out." if ended else ""
            flash("Your password is changed." + others, "success")
            return _back()
    return _page({"password": form}, 422)


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    end_all_sessions(current_user)
    logout_user()
    flash("You are logged out everywhere, on this device too.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.post("/delete")
@login_required
def delete():
    form = _posted("delete")
    if form.validate_on_submit():
        if Artist.normalize_email(form.confirm.data) != current_user.email:
            form.confirm.errors.append("That isn't your account's email; nothing was deleted.")
        else:
            artist = db.session.get(Artist, current_user.id)
            logout_user()
            count = delete_account(artist)
            flash(f"Your account and its {count} campaign(s) are deleted.", "info")
            return redirect(url_for("auth.login"), 303)
    return _page({"delete": form}, 422)


@bp.post("/tokens")
@login_required
def create_token():
    form = _posted("token")
    if not form.validate_on_submit():
        return _page({"token": form}, 422)
    try:
        _, token = api_tokens.create_token(
            current_user, form.workspace.data, form.role.data, form.name.data
        )
    except api_tokens.RoleTooHigh:
        form.role.errors.append("A token can't do more than you can in that workspace.")
        return _page({"token": form}, 422)
    return _page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not api_tokens.revoke(current_user, token_id):
        abort(404)
    flash("The token is revoked: it no longer works.", "info")
    return _back()
