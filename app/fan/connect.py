"""Direct save: connecting a fan's platform account, the same way for every platform.

GET  /connect/<platform>/start?campaign=<slug>  begin_connect: OAuth platforms send the
     browser to their consent page; MusicKit's page script gets what it needs as JSON.
GET|POST /connect/<platform>/callback  the platform's answer (OAuth's query, or the form
     MusicKit's page script posts); exactly PUBLIC_URL + this path is the redirect URI to
     register with each platform.
GET|POST /connect/<platform>/email  the fan's email; required or optional as the registry
     says, and a required one must be given before the signup counts.

Nothing here names a platform: the registry and the DirectSaveClient protocol say it all.
"""

from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import languages
from app.audience import members
from app.extensions import csrf, db, limiter
from app.fan import consent, pending
from app.fan.answers import closed, confirmation, fan_error, page_context, remember_platform
from app.fan.blueprint import bp
from app.fan.form_guard import same_origin, signup_rate_limit
from app.fan.in_app import in_app_browser, open_in_browser_url
from app.fan.language_links import current
from app.fan.lookup import campaign_or_404, offered_platform
from app.fan.push import push_token
from app.fan.recording import InvalidEmail, normalize_email, record_direct_signup
from app.fan.smart_link import to_smart_link
from app.fan.stage import LIVE, stage
from app.form_filters import clean_text
from app.insights import attribution
from app.models import Campaign
from app.platforms import registry
from app.platforms.base import DirectSaveClient, PermanentError, PlatformError
from app.platforms.clients import client_for
from app.platforms.registry import Email, Platform
from app.public_cache import private

GONE = _l(
    "This sign-in link has expired or was already used, so nothing was saved. "
    "Go back to the release page and tap the button again."
)


def direct_platform(campaign: Campaign, key: str) -> tuple[Platform, DirectSaveClient]:
    platform = offered_platform(campaign, key)
    if platform is None or not platform.direct:
        abort(404)
    client = client_for(platform.key)
    if not isinstance(client, DirectSaveClient):
        abort(404)
    return platform, client


def redirect_uri(key: str) -> str:
    return current_app.config["PUBLIC_URL"] + url_for("fan.connect_callback", platform=key)


def back_to_page(campaign: Campaign, notice: str, language: str):
    return private(
        redirect(
            url_for("fan.page", slug=campaign.slug, notice=notice, lang=languages.named(language)),
            303,
        )
    )


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/connect/<platform>/start")
@limiter.limit(lambda: current_app.config["CONNECT_RATE_LIMIT"])  # each start writes a row
def connect_start(platform: str):
    campaign = campaign_or_404(request.args.get("campaign", ""))
    chosen, client = direct_platform(campaign, platform)
    if stage(campaign) == LIVE:
        return to_smart_link(campaign, chosen.key)
    if not campaign.active:
        return closed(campaign)
    user_agent = request.headers.get("User-Agent")
    if in_app_browser(user_agent) and not wants_json():
        # Sign-ins fail inside Instagram/TikTok/Facebook: offer the way out and the email.
        page_url = current_app.config["PUBLIC_URL"] + url_for("fan.page", slug=campaign.slug)
        context = page_context(
            campaign,
            chosen=chosen,
            email="",
            error=None,
            in_app=True,
            open_url=open_in_browser_url(page_url, user_agent),
        )
        return private(make_response(render_template("fan/in_app.html", **context)))
    secret, row = pending.begin(campaign, chosen.key, attribution.carried(request), current())
    try:
        start = client.begin_connect(redirect_uri(chosen.key), row.state)
    except PlatformError:
        db.session.rollback()
        return back_to_page(campaign, "connect-unavailable", current())
    row.state, row.verifier = start.state, start.verifier
    db.session.commit()
    if start.redirect_url:
        response = (
            jsonify(redirect_url=start.redirect_url)
            if wants_json()
            else redirect(start.redirect_url, 303)
        )
    elif wants_json():
        response = jsonify(
            state=start.state,
            browser=start.browser,
            callback=url_for("fan.connect_callback", platform=chosen.key),
        )
    else:
        # Connecting in the page needs JavaScript; the email signup does not.
        context = page_context(campaign, chosen=chosen, email="", error=None, needs_js=True)
        response = make_response(render_template("fan/in_app.html", **context))
    pending.set_cookie(response, secret, pending.CONSENT_TIME)
    return private(response)


@bp.route("/connect/<platform>/callback", methods=["GET", "POST"])
@csrf.exempt  # the single-use `state`, bound to this browser's cookie, protects it
def connect_callback(platform: str):
    if platform not in registry.KEYS:
        abort(404)
    answer = {
        key: clean_text(value)[:4096]
        for key, value in (request.form if request.method == "POST" else request.args).items()
    }
    taken = pending.take_for_callback(platform, answer.get("state"))
    if taken is None:
        return fan_error(400, GONE)
    campaign = db.session.get(Campaign, taken.campaign_id)
    if campaign is None:
        return fan_error(400, GONE)
    if stage(campaign) == LIVE:
        return to_smart_link(campaign, platform)
    if not taken.state_ok:
        return back_to_page(campaign, "connect-expired", taken.language)
    if not campaign.active:
        return closed(campaign)
    chosen, client = direct_platform(campaign, platform)
    if answer.get("error"):
        return back_to_page(campaign, "connect-refused", taken.language)
    try:
        connected = client.finish_connect(redirect_uri(chosen.key), answer, taken.verifier)
    except PermanentError as exc:
        current_app.logger.info("connect to %s refused: %s", chosen.key, exc.reason)
        return back_to_page(campaign, "connect-failed", taken.language)
    except PlatformError as exc:
        current_app.logger.warning("connect to %s failed: %s", chosen.key, exc)
        return back_to_page(campaign, "connect-unavailable", taken.language)
    signup_id = None
    if chosen.email is not Email.REQUIRED:
        # The connection alone is a signup here; the email page only offers to add one.
        came_from = attribution.of_request(request, taken.attribution)
        signup = record_direct_signup(
            campaign, chosen.key, connected, None, came_from, taken.language
        )
        signup_id = signup.id
    secret = pending.hold_connected(
        campaign, chosen.key, connected, signup_id, taken.attribution, taken.language
    )
    response = redirect(
        url_for("fan.connect_email", platform=chosen.key, lang=languages.named(taken.language)), 303
    )
    pending.set_cookie(response, secret, pending.EMAIL_TIME)
    if signup_id is not None:
        remember_platform(response, campaign, chosen.key)
    return private(response)


@bp.route("/connect/<platform>/email", methods=["GET", "POST"])
@csrf.exempt  # bound to this browser by the pending-connection cookie
@signup_rate_limit
def connect_email(platform: str):
    if platform not in registry.KEYS:
        abort(404)
    row = pending.connected_here(platform)
    if row is None:
        return fan_error(400, GONE)
    campaign = db.session.get(Campaign, row.campaign_id)
    chosen, _client = direct_platform(campaign, platform)
    if stage(campaign) == LIVE:
        return to_smart_link(campaign, chosen.key)
    required = chosen.email is Email.REQUIRED
    email_text = clean_text(request.form.get("email", ""))[:400]

    def form(status=200, error=None):
        context = page_context(
            campaign,
            chosen=chosen,
            email=email_text,
            error=error,
            required=required,
            recorded=row.signup_id is not None,
            push_token=push_token(row.signup_id) if row.signup_id else "",
        )
        return private(make_response(render_template("fan/connected.html", **context), status))

    if request.method == "GET":
        return form()
    if not campaign.active:
        return closed(campaign)
    if not same_origin():
        return fan_error(403, _("This form was sent from another site, so nothing was saved."))
    try:
        future = consent.future_ticked(request.form)
    except consent.StaleFutureConsent:
        return form(422, _("The signup terms changed. Please read them and send again."))
    email = None
    if email_text or required or future:
        try:
            email = normalize_email(request.form.get("email", "")[:1000])
        except InvalidEmail as exc:
            return form(422, str(exc))
    came_from = attribution.of_request(request, row.attribution)
    signup = record_direct_signup(
        campaign, chosen.key, pending.connected_of(row), email, came_from, row.language
    )
    if future:
        members.join(campaign, email, chosen.key, came_from, consent.FUTURE_CURRENT, row.language)
    pending.finish(row)
    response = confirmation(campaign, chosen, signup, signup.email)
    pending.clear_cookie(response)
    return response
