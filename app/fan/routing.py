"""`/r/<token>`: the personal link in a fan's release-day email or push.

The token (signed by app/release_day/links.py) names the fan's signup and where the link was
sent (email or push). Following it counts a click from that source and goes to the release
on the fan's own platform, or to the Smart Link while that platform has not been found yet.
A token that does not verify, or whose fan is gone, gets the fans' friendly 404.
"""

from flask import abort, url_for

from app.extensions import db
from app.fan.blueprint import bp
from app.fan.smart_link import away, record_click, safe_url
from app.models import Campaign, PlatformLink, Signup
from app.release_day.links import read_personal_link


@bp.get("/r/<token>")
def personal(token: str):
    link = read_personal_link(token) if len(token) <= 500 else None
    if link is None:
        abort(404)
    signup_id, source = link
    signup = db.session.get(Signup, signup_id)
    if signup is None:
        abort(404)
    campaign = db.session.get(Campaign, signup.campaign_id)
    found = db.session.scalar(
        db.select(PlatformLink).filter_by(campaign_id=campaign.id, platform=signup.platform)
    )
    if found is not None and safe_url(found.url):
        record_click(campaign.id, signup.platform, source)
        return away(found.url)
    # Not on the fan's platform yet: the Smart Link shows where the release already is.
    record_click(campaign.id, None, source)
    return away(url_for("fan.page", slug=campaign.slug))
