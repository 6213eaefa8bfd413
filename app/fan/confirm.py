"""The link in a double opt-in confirmation email: GET shows a button (mail scanners that
open links confirm nothing), POST confirms. The signed token in the URL is the proof."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import csrf, db
from app.fan.answers import fan_error
from app.fan.blueprint import bp
from app.fan.double_opt_in import confirm, signup_for
from app.fan.unsubscribe import spoken, token_page
from app.models import Campaign


def _page(token: str, done: bool):
    signup = signup_for(token)
    if signup is None or signup.unsubscribed_at is not None:
        return fan_error(410, _("This confirmation link has expired. Sign up again on the page."))
    if done:
        confirm(signup)
    done = signup.confirmed_at is not None
    campaign = db.session.get(Campaign, signup.campaign_id)
    with force_locale(spoken(signup.language)):
        html = render_template(
            "fan/confirm.html", signup=signup, campaign=campaign, token=token, done=done
        )
    return token_page(html)


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    return _page(token, done=False)


@bp.post("/confirm/<token>")
@csrf.exempt  # the signed token in the URL is the proof, as for unsubscribing
def confirm_post(token: str):
    return _page(token, done=True)
