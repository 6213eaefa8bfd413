"""Whose audience: the one place that says it. An audience belongs to the artist account
that created the campaigns (not yet to their workspace: moving it there means these
functions answer with the workspace and audience_member keys on it)."""

from flask_login import current_user
from sqlalchemy import select

from app.models import Campaign


def owner_of(campaign) -> int | None:
    """The audience a signup to `campaign` (a Campaign or a CampaignCopy) joins."""
    return campaign.artist_id


def current_owner() -> int:
    """The audience the logged-in artist sees and sends to in the dashboard."""
    return current_user.id


def campaigns_of(owner: int):
    """The ids of the campaigns whose fans make up `owner`'s audience, as a subquery."""
    return select(Campaign.id).where(Campaign.artist_id == owner)
