"""The pre-save page and the email signup on it.

The page is the same for every visitor (no session, no per-visitor token), so a shared
cache may keep it for PAGE_MAX_AGE; answers to a signup are the fan's own and never cached.
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, make_response, redirect, render_template, request, url_for

from app import clock
from app.errors import retry_after
from app.extensions import csrf, db, htmx, limiter
from app.fan import bp, consent, wording
from app.fan.form_guard import form_token, form_token_ok, same_origin
from app.fan.page_cache import cached_page, remembered_campaign
from app.fan.push import push_token
from app.fan.recording import EmailSignup, InvalidEmail, normalize_email, record_email_signup
from app.form_filters import clean_text
from app.models import Campaign, PreviousSlug, Signup
from app.platforms import registry
from app.platforms.registry import Platform

PAGE_MAX_AGE = 60  # seconds a shared cache may serve the page before asking again
PLATFORM_COOKIE = "dropday_platform"
PLATFORM_COOKIE_AGE = timedelta(days=365)

# Messages a redirect back to the page may show: fixed texts by code, never echoed input.
NOTICES = {
    "connect-refused": "You didn't allow access, so nothing was saved. "
    "You can try again, or get an email on release day instead.",
    "connect-expired": "That sign-in took too long or was already used, so nothing was saved. "
    "Please tap the button again.",
    "connect-failed": "The platform didn't accept the connection, so nothing was saved. "
    "Please try again, or get an email on release day instead.",
    "connect-unavailable": "We couldn't reach the platform just now, so nothing was saved. "
    "Please try again in a minute, or get an email on release day instead.",
}

CLOSED = "Signups for this release are closed."


def signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


# One budget per client address for every way of signing up (email form, connect email).
signup_rate_limit = limiter.shared_limit(signup_limit, scope="fan-signup", methods=["POST"])


# What an address can be (app/campaigns/slugs.py); anything else is not looked up at all.
SLUG = re.compile(r"[a-z0-9-]{1,60}")


def find_campaign(slug: str) -> Campaign | None:
    if not SLUG.fullmatch(slug or ""):
        return None
    return db.session.scalar(db.select(Campaign).filter_by(slug=slug))


def campaign_or_404(slug: str) -> Campaign:
    campaign = find_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


def offered(campaign: Campaign) -> list[Platform]:
    """The campaign's platforms this installation still offers, in the registry's order."""
    disabled = current_app.config.get("DISABLED_PLATFORMS") or frozenset()
    chosen = set(campaign.platforms or ())
    return [p for p in registry.enabled(disabled) if p.key in chosen]


def offered_platform(campaign: Campaign, key: str | None) -> Platform | None:
    return next((p for p in offered(campaign) if p.key == key), None)


def page_context(campaign: Campaign, **extra) -> dict:
    now = clock.now()
    return {
        "release_local": campaign.release_at.astimezone(ZoneInfo(campaign.time_zone)),
        "days_left": max(0, (campaign.release_at - now).days),
        "released": campaign.release_at <= now,
        "campaign": campaign,
        "platforms": offered(campaign),
        "form_token": form_token(campaign.id),
        "consent_version": consent.CURRENT,
        "consent": consent,
        "wording": wording,
        "page_url": current_app.config["PUBLIC_URL"] + url_for("fan.page", slug=campaign.slug),
        "public_url": current_app.config["PUBLIC_URL"],
        **extra,
    }


def cacheable(response):
    response.cache_control.public = True
    response.cache_control.max_age = PAGE_MAX_AGE
    return response


def private(response):
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


def fragment_request() -> bool:
    """A real htmx swap (not a boosted link or a history restore) gets only the fragment."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


@bp.get("/<slug>")
def page(slug: str):
    return cached_page(lambda: _page(slug))


def _page(slug: str):
    campaign = find_campaign(slug)
    if campaign is None:
        return moved_or_404(slug)
    if campaign.phase == "live":
        from app.fan import smart_link  # (it imports this module)

        return smart_link.render(campaign)
    notice = NOTICES.get(request.args.get("notice", ""))
    return cacheable(
        make_response(render_template("fan/page.html", **page_context(campaign, notice=notice)))
    )


def moved_or_404(slug: str):
    if not SLUG.fullmatch(slug):
        abort(404)
    previous = db.session.scalar(db.select(PreviousSlug).filter_by(slug=slug))
    if previous is None:
        abort(404)
    campaign = db.session.get(Campaign, previous.campaign_id)
    target = url_for("fan.page", slug=campaign.slug)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return cacheable(redirect(target, 301))


@bp.get("/<slug>/email/<platform>")
def email_form(slug: str, platform: str):
    """The email form for one platform: swapped in place with htmx, a full page without JS."""
    return cached_page(lambda: _email_form(slug, platform))


def _email_form(slug: str, platform: str):
    campaign = campaign_or_404(slug)
    chosen = offered_platform(campaign, platform)
    if chosen is None:
        abort(404)
    context = page_context(campaign, chosen=chosen, email="", error=None)
    template = "fan/_email_form.html" if fragment_request() else "fan/page.html"
    return cacheable(make_response(render_template(template, **context)))


@bp.post("/<slug>/signup")
@csrf.exempt  # no session to bind a token to: form_guard protects this form
@signup_rate_limit
def signup(slug: str):
    campaign = remembered_campaign(slug, lambda: find_campaign(slug))
    if campaign is None:
        abort(404)
    form = request.form
    email_text = clean_text(form.get("email", ""))[:400]
    chosen = offered_platform(campaign, form.get("platform"))

    def again(status: int, error: str | None = None, notice: str | None = None):
        context = page_context(
            campaign, chosen=chosen, email=email_text, error=error, notice=notice
        )
        template = "fan/page.html"
        if fragment_request():
            # No platform to ask an email for: back to the buttons, with the message.
            template = "fan/_email_form.html" if chosen else "fan/_platforms.html"
        return private(make_response(render_template(template, **context), status))

    if not campaign.active:
        return closed(campaign)
    if not same_origin():
        return fan_error(403, "This form was sent from another site, so nothing was saved.")
    if not form_token_ok(form.get("form_token"), campaign.id):
        return again(400, notice="This page was open for a long time. Please send it again.")
    if chosen is None:
        return again(422, notice="Pick one of the platforms on this page.")
    if form.get("website"):
        # The honeypot: people never see this field, naive bots fill it. They get the same
        # confirmation as a person, so they learn nothing, and nothing is recorded.
        return confirmation(campaign, chosen, None, email_text, recorded=False)
    if form.get("consent_version", type=int) != consent.CURRENT:
        return again(422, notice="The signup terms changed. Please read them and send again.")
    try:
        email = normalize_email(form.get("email", "")[:1000])
    except InvalidEmail as exc:
        return again(422, error=str(exc))
    signup_row = record_email_signup(campaign, chosen.key, email)
    if signup_row is None:  # closed since the copy of the campaign was read
        return closed(campaign)
    return confirmation(campaign, chosen, signup_row, email)


def confirmation(
    campaign, chosen, signup_row: EmailSignup | Signup | None, email, recorded=True, status=200
):
    mode = signup_row.mode if signup_row else "email"
    context = page_context(
        campaign,
        chosen=chosen,
        confirmed=True,
        release_day=wording.release_day(chosen, mode, email, campaign.title),
        push_token=push_token(signup_row.id) if signup_row else "",
        signup=signup_row,
    )
    template = "fan/_confirmation.html" if fragment_request() else "fan/page.html"
    response = private(make_response(render_template(template, **context), status))
    if recorded:
        remember_platform(response, campaign, chosen.key)
    return response


def remember_platform(response, campaign: Campaign, key: str) -> None:
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


def closed(campaign: Campaign):
    context = page_context(campaign, notice=CLOSED, signups_closed=True)
    return private(make_response(render_template("fan/page.html", **context), 403))


def fan_error(status: int, message: str):
    template = "fan/_message.html" if fragment_request() else "fan/error.html"
    return private(make_response(render_template(template, status=status, message=message), status))


@bp.errorhandler(404)
def not_found(error):
    return fan_error(404, "There's no release at this address. Check the link you followed.")


@bp.errorhandler(429)
def too_many(error):
    response = fan_error(
        429,
        "That's a lot of signups from your network at once. Please wait a minute and try again.",
    )
    if wait := retry_after(error):
        response.headers["Retry-After"] = str(wait)
    return response
