"""Unsubscribe: /u/<token>, the token random and unguessable (not the row id).

GET shows what the fan is leaving and a button; POST unsubscribes. Mail clients that follow
RFC 8058 POST `List-Unsubscribe=One-Click` to the same URL, without a CSRF token: the
token in the URL is the proof. A fan who also joined the artist's audience is offered the
withdrawal of that consent on the same page (app/fan/withdraw.py).
"""

import re

from flask import abort, make_response, render_template, request

from app.audience import members
from app.extensions import csrf, db
from app.fan.blueprint import bp
from app.fan.recording import unsubscribe
from app.models import Campaign, Signup
from app.public_cache import private

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")  # secrets.token_urlsafe


def signup_or_404(token: str) -> Signup:
    signup = None
    if TOKEN.fullmatch(token):
        signup = db.session.scalar(db.select(Signup).filter_by(unsubscribe_token=token))
    if signup is None:
        abort(404)
    return signup


def _page(signup: Signup, done: bool):
    campaign = db.session.get(Campaign, signup.campaign_id)
    member = members.of_signup(signup)  # offered the future-releases withdrawal too
    html = render_template(
        "fan/unsubscribe.html", signup=signup, campaign=campaign, done=done, member=member
    )
    return token_page(html)


def token_page(html: str):
    """A page reached by a fan's secret link: never cached, never indexed."""
    response = private(make_response(html))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def one_click_asked() -> bool:
    """An RFC 8058 one-click POST from a mail client (not a person's button)."""
    return request.form.get("List-Unsubscribe") == "One-Click"


def one_click_answer():
    return private(make_response("Unsubscribed.\n", 200, {"Content-Type": "text/plain"}))


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    signup = signup_or_404(token)
    return _page(signup, done=signup.unsubscribed_at is not None)


@bp.post("/u/<token>")
@csrf.exempt  # RFC 8058: one-click POSTs carry no token but the one in the URL
def unsubscribe_post(token: str):
    signup = signup_or_404(token)
    unsubscribe(signup)
    if one_click_asked():
        return one_click_answer()
    return _page(signup, done=True)
