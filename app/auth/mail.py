"""Mail sent by the worker through Flask-Mail: to an artist's account (password reset, email
confirmation), and to fans outside the release-day outbox (double opt-in, reconnect).

Jobs run outside any request, so links are built against the site's public address; the
message is rendered from templates/emails/<name>.txt and .html.
"""

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_mail import Message

from app import languages
from app.extensions import mail


def link(endpoint: str, **values) -> str:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def send(to: str, subject: str, template: str, **context) -> None:
    """In the language spoken now: English for artists, the fan's under `force_locale`."""
    context.setdefault("lang_tag", languages.current_tag())
    context["subject"] = subject
    message = Message(
        subject,
        recipients=[to],
        body=render_template(f"emails/{template}.txt", **context),
        html=render_template(f"emails/{template}.html", **context),
    )
    mail.send(message)


def send_to_fan(signup, subject, template: str, **context) -> None:
    """A fan's own message outside the release-day outbox (double opt-in, reconnect): in the
    language they signed up in, with the link to their data page. `subject`: a lazy string."""
    with force_locale(signup.language):
        data_page = link("fan.unsubscribe_page", token=signup.unsubscribe_token)
        send(signup.email, str(subject), template, data_page=data_page, **context)
