"""Mail to an artist's account (password reset, email confirmation), sent by the worker.

Jobs run outside any request, so links are built against the site's public address; the
message is rendered from templates/emails/<name>.txt and .html.
"""

from flask import current_app, render_template, url_for
from flask_mail import Message

from app.extensions import mail


def link(endpoint: str, **values) -> str:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def send(to: str, subject: str, template: str, **context) -> None:
    message = Message(
        subject,
        recipients=[to],
        body=render_template(f"emails/{template}.txt", **context),
        html=render_template(f"emails/{template}.html", **context),
    )
    mail.send(message)
