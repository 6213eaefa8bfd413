"""The fan's own data page: /u/<token>, the token random and unguessable (not the row id),
linked from every email and the confirmation.

GET shows everything Dropday holds about the fan for the campaign, with buttons to
unsubscribe, disconnect the platform, turn push off or delete everything. POST /u/<token>
unsubscribes: mail clients that follow RFC 8058 POST `List-Unsubscribe=One-Click` to it
without a CSRF token, so every action here takes the token in the URL as the proof.
A fan who also joined the artist's audience is offered the withdrawal of that consent
on the same page (app/fan/withdraw.py).
"""

import re

from flask import abort, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app import languages
from app.audience import members
from app.extensions import csrf, db
from app.fan import consent
from app.fan.blueprint import bp
from app.fan.recording import disconnect, forget, remove_push_subscription, unsubscribe
from app.models import Campaign, Signup
from app.platforms import registry
from app.public_cache import private

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")  # secrets.token_urlsafe


def signup_or_404(token: str) -> Signup:
    signup = None
    if TOKEN.fullmatch(token):
        signup = db.session.scalar(db.select(Signup).filter_by(unsubscribe_token=token))
    if signup is None:
        abort(404)
    return signup


def spoken(stored: str) -> str:
    """A secret link's page speaks the fan's own language, the one stored when they signed
    up (or joined), unless they picked another here."""
    return languages.chosen() or stored


def token_page(html: str):
    """A page reached by a fan's secret link: never cached, never indexed."""
    response = private(make_response(html))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _page(signup: Signup, notice: str = ""):
    campaign = db.session.get(Campaign, signup.campaign_id)
    with force_locale(spoken(signup.language)):
        # The consent in the words the fan read it in: their page's language.
        consent_text = consent.text(
            signup.consent_version, signup.mode, title=campaign.title, artist=campaign.artist_name
        )
        html = render_template(
            "fan/unsubscribe.html",
            signup=signup,
            campaign=campaign,
            done=signup.unsubscribed_at is not None,
            consent_text=consent_text,
            platform_name=registry.name(signup.platform),
            notice=notice,
            member=members.of_signup(signup),  # offered the future-releases withdrawal
        )
    return token_page(html)


def one_click_asked() -> bool:
    """An RFC 8058 one-click POST from a mail client (not a person's button)."""
    return request.form.get("List-Unsubscribe") == "One-Click"


def one_click_answer():
    return private(make_response("Unsubscribed.\n", 200, {"Content-Type": "text/plain"}))


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    return _page(signup_or_404(token))


@bp.post("/u/<token>")
@csrf.exempt  # RFC 8058: one-click POSTs carry no token but the one in the URL
def unsubscribe_post(token: str):
    signup = signup_or_404(token)
    unsubscribe(signup)
    if one_click_asked():
        return one_click_answer()
    return _page(signup)


# The page's smaller actions: what each does, and what the page then says.
ACTIONS = {
    "disconnect": (disconnect, _l("Your platform is disconnected: Dropday deleted its access.")),
    "push-off": (remove_push_subscription, _l("Notifications are off.")),
}


@bp.post("/u/<token>/<any(disconnect, 'push-off'):action>")
@csrf.exempt  # the token in the URL is the proof
def data_action(token: str, action: str):
    signup = signup_or_404(token)
    change, notice = ACTIONS[action]
    change(signup)
    return _page(signup, notice)


@bp.post("/u/<token>/delete")
@csrf.exempt  # the token in the URL is the proof
def delete_post(token: str):
    signup = signup_or_404(token)
    campaign = db.session.get(Campaign, signup.campaign_id)
    language = spoken(signup.language)
    forget(signup)
    with force_locale(language):
        return token_page(render_template("fan/deleted.html", campaign=campaign))
