"""What the fan pages answer with, shared by the page's views and the connect flow: the
page's template context, the signup confirmation, "closed" and the fans' error page."""

from datetime import timedelta

from flask import current_app, make_response, render_template, url_for
from flask_babel import lazy_gettext as _l

from app import clock
from app.fan import consent, release_moment, wording
from app.fan.form_guard import form_token
from app.fan.lookup import offered
from app.fan.push import push_token
from app.fan.recording import EmailSignup
from app.fan.stage import stage
from app.htmx_fragments import fragment_request
from app.models import Signup
from app.public_cache import private

PLATFORM_COOKIE = "dropday_platform"
PLATFORM_COOKIE_AGE = timedelta(days=365)
CLOSED = _l("Signups for this release are closed.")


def page_context(campaign, **extra) -> dict:
    """`campaign` is a Campaign or a remembered copy of one (app/fan/page_cache.py)."""
    now = clock.now()
    days_left = max(0, (campaign.release_at - now).days)
    return {
        "stage": stage(campaign),
        "release_when": release_moment.when(campaign),
        "release_day_name": release_moment.day(campaign),
        "days_to_go": release_moment.days_to_go(days_left) if days_left else None,
        "campaign": campaign,
        "platforms": offered(campaign),
        "form_token": form_token(campaign.id),
        "consent_version": consent.CURRENT,
        "consent": consent,
        "wording": wording,
        "page_url": page_url(campaign),
        "public_url": current_app.config["PUBLIC_URL"],
        **extra,
    }


def page_url(campaign) -> str:
    """The page's public address without a language (the `x-default` of its alternates)."""
    return current_app.config["PUBLIC_URL"] + url_for("fan.page", slug=campaign.slug, lang=None)


def confirmation(
    campaign, chosen, signup_row: EmailSignup | Signup | None, email, recorded=True, status=200
):
    mode = signup_row.mode if signup_row else "email"
    context = page_context(
        campaign,
        chosen=chosen,
        confirmed=True,
        release_day=wording.release_day(chosen, mode, email, campaign.title, stage(campaign)),
        push_token=push_token(signup_row.id) if signup_row else "",
        signup=signup_row,
        signup_email=email,
    )
    template = "fan/_confirmation.html" if fragment_request() else "fan/page.html"
    response = private(make_response(render_template(template, **context), status))
    if recorded:
        remember_platform(response, campaign, chosen.key)
    return response


def remember_platform(response, campaign, key: str) -> None:
    """The fan's choice, for the Smart Link to put first on release day."""
    response.set_cookie(
        PLATFORM_COOKIE,
        key,
        max_age=int(PLATFORM_COOKIE_AGE.total_seconds()),
        path=f"/{campaign.slug}",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=False,  # the Smart Link's script may read it
        samesite="Lax",
    )


def closed(campaign):
    context = page_context(campaign, notice=str(CLOSED), signups_closed=True)
    return private(make_response(render_template("fan/page.html", **context), 403))


def fan_error(status: int, message: str):
    template = "fan/_message.html" if fragment_request() else "fan/error.html"
    html = render_template(template, status=status, message=str(message))  # str: escaped
    return private(make_response(html, status))
