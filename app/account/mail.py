"""Account emails, sent by the worker (queue "mail").

The web request only enqueues: "Forgot password?" then answers equally fast whether or not
the address has an account, and a slow mail server never holds a page up. Jobs take plain
values and look everything up again, as every job does.
"""

from flask import current_app, render_template, url_for
from flask_mail import Message

from app.account import tokens
from app.extensions import db, mail
from app.jobs import enqueue
from app.models import Artist


def request_password_reset(email: str) -> None:
    enqueue(send_password_reset, Artist.normalize_email(email), queue_name="mail")


def request_email_change(artist: Artist, new_email: str) -> None:
    enqueue(send_email_confirmation, artist.id, new_email, queue_name="mail")


def send_password_reset(email: str) -> bool:
    """Mail a reset link if `email` has an account; say nothing otherwise."""
    artist = db.session.scalar(db.select(Artist).filter_by(email=email))
    if artist is None:
        return False
    link = _link("auth.reset_password", token=tokens.password_reset_token(artist))
    _send(artist.email, "Reset your Dropday password", "password_reset", artist=artist, link=link)
    return True


def send_email_confirmation(artist_id: int, new_email: str) -> bool:
    artist = db.session.get(Artist, artist_id)
    if artist is None:
        return False
    link = _link("account.confirm_email", token=tokens.email_change_token(artist, new_email))
    _send(new_email, "Confirm your new Dropday email", "confirm_email", artist=artist, link=link)
    return True


def _link(endpoint: str, **values) -> str:
    # Jobs run outside any request: links are built against the site's public address.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def _send(to: str, subject: str, template: str, **context) -> None:
    message = Message(
        subject,
        recipients=[to],
        body=render_template(f"emails/{template}.txt", **context),
        html=render_template(f"emails/{template}.html", **context),
    )
    mail.send(message)
