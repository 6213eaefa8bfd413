"""The Smart Link: the campaign's page once the release is out, and its buttons' way out.

The pre-save page's view hands a live campaign to `render`, so the same address turns into
the Smart Link. Its HTML is the same for every fan, so a shared cache may keep it like the
pre-save page: the fan's own platform moves to the top on the fan's device
(static/js/smart-link.js reads the `dropday_platform` cookie set at signup), not on the
server, which would need `Vary: Cookie` and split the cache per visitor.

Each button goes through `/<slug>/go/<platform>`, which counts the click and redirects to
the PlatformLink that detection stored: the destination never comes from the request, so
the route cannot be turned into an open redirect.
"""

from urllib.parse import urlsplit

from flask import abort, current_app, make_response, redirect, render_template, request, url_for

from app.extensions import db
from app.fan.answers import page_url
from app.fan.blueprint import bp
from app.fan.lookup import find_campaign, offered
from app.htmx_fragments import fragment_request
from app.insights import attribution, counting
from app.models import Campaign, Click, PlatformLink
from app.platforms import registry
from app.public_cache import cacheable, private

SAFE_SCHEMES = {"https", "http"}


def render(campaign: Campaign):
    """The Smart Link page for a live campaign (called by the page view at `/<slug>`)."""
    links = ordered_links(campaign)
    found = {link.platform for link in links}
    context = {
        "campaign": campaign,
        "links": [(link, registry.BY_KEY[link.platform]) for link in links],
        "more_coming": any(p.key not in found and p.lookups for p in offered(campaign)),
        "page_url": page_url(campaign),
        "public_url": current_app.config["PUBLIC_URL"],
    }
    return cacheable(make_response(render_template("fan/smart_link.html", **context)))


def to_smart_link(campaign, platform: str | None = None):
    """Once the release is live every pre-save address leads here: to the release on the
    fan's platform when it has it, else to the Smart Link (an htmx swap is told to go)."""
    link = None
    if platform in registry.BY_KEY:
        link = db.session.scalar(
            db.select(PlatformLink).filter_by(campaign_id=campaign.id, platform=platform)
        )
    if link is not None and safe_url(link.url):
        target = url_for("fan.go", slug=campaign.slug, platform=platform)
    else:
        target = url_for("fan.page", slug=campaign.slug)
    if fragment_request():
        return private(make_response("", 200, {"HX-Redirect": target}))
    return private(redirect(target, 303))


def ordered_links(campaign: Campaign) -> list[PlatformLink]:
    """The found platforms this installation offers, in the registry's order."""
    rows = db.session.scalars(db.select(PlatformLink).filter_by(campaign_id=campaign.id)).all()
    order = {key: n for n, key in enumerate(registry.KEYS)}
    return sorted(
        (link for link in rows if link.platform in order and safe_url(link.url)),
        key=lambda link: order[link.platform],
    )


def safe_url(url: str) -> bool:
    """A stored link is only followed as a web address (never javascript:, data:, ...)."""
    parts = urlsplit(url or "")
    return parts.scheme in SAFE_SCHEMES and bool(parts.netloc)


def record_click(campaign_id: int, platform: str | None, source: str) -> None:
    """One Click per request that follows a link; HEAD (link checkers, previews) counts none.
    Insights count it too when a person clicked, with where they came from."""
    if request.method == "HEAD":
        return
    db.session.add(Click(campaign_id=campaign_id, platform=platform, source=source))
    if attribution.person(request):
        pairs = counting.attributed(campaign_id, attribution.of_request(request))
        pairs += [("platform", platform or "none"), ("via", source)]
        counting.add(campaign_id, "click", pairs)
    db.session.commit()


def away(url: str):
    """The redirect out: never cached, so every click reaches Dropday and is counted."""
    response = redirect(url, 302)
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.get("/<slug>/go/<platform>")
def go(slug: str, platform: str):
    campaign = find_campaign(slug)
    if campaign is None or platform not in registry.BY_KEY:
        abort(404)
    link = db.session.scalar(
        db.select(PlatformLink).filter_by(campaign_id=campaign.id, platform=platform)
    )
    if link is None or not safe_url(link.url):
        abort(404)
    record_click(campaign.id, platform, "smart_link")
    return away(link.url)
