"""The pre-save page and the email signup on it.

The page is the same for every visitor (no session, no per-visitor token), so a shared
cache may keep it for PAGE_MAX_AGE; answers to a signup are the fan's own and never cached.
"""

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audience import members
from app.errors import retry_after
from app.extensions import csrf
from app.fan import consent, smart_link
from app.fan.answers import closed, confirmation, fan_error, page_context
from app.fan.blueprint import bp
from app.fan.double_opt_in import send_confirmation
from app.fan.form_guard import form_token_ok, same_origin, signup_rate_limit
from app.fan.language_links import current
from app.fan.lookup import campaign_or_404, find_campaign, moved_to, offered_platform
from app.fan.page_cache import cached_page, remembered_campaign
from app.fan.recording import InvalidEmail, normalize_email, record_email_signup
from app.fan.stage import LIVE, stage
from app.form_filters import clean_text
from app.htmx_fragments import fragment_request
from app.insights import attribution
from app.jobs import enqueue
from app.public_cache import cacheable, private

# Messages a redirect back to the page may show: fixed texts by code, never echoed input.
NOTICES = {
    "connect-refused": _l(
        "You didn't allow access, so nothing was saved. "
        "You can try again, or get an email on release day instead."
    ),
    "connect-expired": _l(
        "That sign-in took too long or was already used, so nothing was saved. "
        "Please tap the button again."
    ),
    "connect-failed": _l(
        "The platform didn't accept the connection, so nothing was saved. "
        "Please try again, or get an email on release day instead."
    ),
    "connect-unavailable": _l(
        "We couldn't reach the platform just now, so nothing was saved. "
        "Please try again in a minute, or get an email on release day instead."
    ),
}


@bp.get("/<slug>")
def page(slug: str):
    return cached_page(lambda: _page(slug))


def _page(slug: str):
    campaign = find_campaign(slug)
    if campaign is None:
        return _moved_or_404(slug)
    if campaign.phase == "live":
        return smart_link.render(campaign)
    notice = NOTICES.get(request.args.get("notice", ""))
    notice = str(notice) if notice else None  # a lazy string would skip escaping
    return cacheable(
        make_response(
            render_template(
                "fan/page.html", **page_context(campaign, notice=notice, count_visit=True)
            )
        )
    )


def _moved_or_404(slug: str):
    campaign = moved_to(slug)
    if campaign is None:
        abort(404)
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
    if stage(campaign) == LIVE:
        return smart_link.to_smart_link(campaign, chosen.key)
    # The page's `from` (channel, UTM, referrer) rides in the address, so this page stays
    # one per address for a cache, and the form carries it on to the signup.
    came_from = request.args.get(attribution.FROM_FIELD, "")[: attribution.MAX_FROM]
    context = page_context(campaign, chosen=chosen, email="", error=None, came_from=came_from)
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

    if stage(campaign) == LIVE:
        return smart_link.to_smart_link(campaign, chosen and chosen.key)
    if not campaign.active:
        return closed(campaign)
    if not same_origin():
        return fan_error(403, _("This form was sent from another site, so nothing was saved."))
    if not form_token_ok(form.get("form_token"), campaign.id):
        return again(400, notice=_("This page was open for a long time. Please send it again."))
    if chosen is None:
        return again(422, notice=_("Pick one of the platforms on this page."))
    if form.get("website"):
        # The honeypot: people never see this field, naive bots fill it. They get the same
        # confirmation as a person, so they learn nothing, and nothing is recorded.
        return confirmation(campaign, chosen, None, email_text, recorded=False)
    if form.get("consent_version", type=int) != consent.CURRENT:
        return again(422, notice=_("The signup terms changed. Please read them and send again."))
    try:
        future = consent.future_ticked(form)
    except consent.StaleFutureConsent:
        return again(422, notice=_("The signup terms changed. Please read them and send again."))
    try:
        email = normalize_email(form.get("email", "")[:1000])
    except InvalidEmail as exc:
        return again(422, error=str(exc))
    came_from = attribution.of_request(request)
    signup_row = record_email_signup(campaign.id, chosen.key, email, came_from, current())
    if signup_row is None:  # closed, or gone live, since the copy of the campaign was read
        fresh = find_campaign(slug)
        if fresh is not None and stage(fresh) == LIVE:
            return smart_link.to_smart_link(fresh, chosen.key)
        return closed(campaign)
    if signup_row.confirmed_at is None:  # the campaign asks fans to confirm (double opt-in)
        enqueue(send_confirmation, signup_row.id, queue_name="mail")
    if future:
        members.join(campaign, email, chosen.key, came_from, consent.FUTURE_CURRENT, current())
    return confirmation(campaign, chosen, signup_row, email)


@bp.errorhandler(404)
def not_found(error):
    return fan_error(404, _("There's no release at this address. Check the link you followed."))


@bp.errorhandler(429)
def too_many(error):
    response = fan_error(
        429,
        _("That's a lot of signups from your network at once. Please wait a minute and try again."),
    )
    if wait := retry_after(error):
        response.headers["Retry-After"] = str(wait)
    return response
