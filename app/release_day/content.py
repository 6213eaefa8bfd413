"""What a release-day email or push says, and to whom: both read a batch's claimed rows
with their fans the same way (`batch_rows`) and describe the release the same way
(`Release`); their words, in the fan's language, are in wording.py.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Row, select

from app.extensions import db
from app.media.views import artwork_url as media_url
from app.models import Campaign, Delivery, Signup
from app.release_day.outbox import Lease


def batch_rows(lease: Lease, *columns, outer=None) -> list[Row]:
    """The claimed deliveries, oldest first, each with its fan's signup and `columns`.
    `outer`: a table with a `signup_id` to join where the fan has a row in it."""
    query = (
        select(
            Delivery.id,
            Delivery.campaign_id,
            Delivery.attempts,
            Delivery.due_since,
            Signup.id.label("signup_id"),
            Signup.platform,
            Signup.language,
            *columns,
        )
        .join(Signup, Signup.id == Delivery.signup_id)
        .where(Delivery.id.in_(lease.ids))
        .order_by(Delivery.id)
    )
    if outer is not None:
        query = query.outerjoin(outer, outer.signup_id == Delivery.signup_id)
    return db.session.execute(query).all()


@dataclass(frozen=True)
class Release:
    """What every email and push of one campaign shares, as plain values (threads send)."""

    title: str
    artist_name: str
    smart_link: str
    artwork_url: str | None  # the page-sized cover, for email
    icon_url: str | None  # the thumbnail, for a push notification


def releases(campaign_ids) -> dict[int, Release]:
    """The releases of a batch's campaigns, by campaign id."""
    base = current_app.config["PUBLIC_URL"]
    campaigns = db.session.scalars(select(Campaign).where(Campaign.id.in_(set(campaign_ids))))
    return {
        campaign.id: Release(
            title=campaign.title,
            artist_name=campaign.artist_name,
            smart_link=f"{base}/{campaign.slug}",
            artwork_url=artwork_url(campaign.artwork, "page"),
            icon_url=artwork_url(campaign.artwork, "thumb"),
        )
        for campaign in campaigns
    }


def artwork_url(artwork: str | None, size: str) -> str | None:
    """The absolute URL of a campaign's cover in one of its stored sizes."""
    if not artwork:
        return None
    return media_url(artwork, f"{size}.jpg", external=True)
