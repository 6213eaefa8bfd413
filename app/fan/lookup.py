"""Which campaign an address names, and which of its platforms this installation offers."""

import re

from flask import abort, current_app

from app.extensions import db
from app.models import Campaign, PreviousSlug
from app.platforms import registry
from app.platforms.registry import Platform

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


def moved_to(slug: str) -> Campaign | None:
    """The campaign that had this address before it moved, if any."""
    if not SLUG.fullmatch(slug or ""):
        return None
    previous = db.session.scalar(db.select(PreviousSlug).filter_by(slug=slug))
    return db.session.get(Campaign, previous.campaign_id) if previous else None


def offered(campaign) -> list[Platform]:
    """The campaign's platforms this installation still offers, in the registry's order.
    `campaign` is a Campaign or a remembered copy of one (app/fan/page_cache.py)."""
    disabled = current_app.config.get("DISABLED_PLATFORMS") or frozenset()
    chosen = set(campaign.platforms or ())
    return [p for p in registry.enabled(disabled) if p.key in chosen]


def offered_platform(campaign, key: str | None) -> Platform | None:
    return next((p for p in offered(campaign) if p.key == key), None)
