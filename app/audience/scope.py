"""Whose audience: the one place that says it. Today an audience belongs to the artist
account that owns the campaigns; when workspaces land, these two functions answer with the
workspace instead and nothing else changes."""

from flask_login import current_user
from sqlalchemy import select

from app.models import Campaign


def owner_of(campaign) -> int:
    """The audience a signup to `campaign` (a Campaign or a CampaignCopy) joins."""
    return campaign.artist_id


def current_owner() -> int:
    """The audience the logged-in artist sees and sends to in the dashboard."""
    return current_user.id


def campaigns_of(owner: int):
    """The ids of the campaigns whose fans make up `owner`'s audience, as a subquery."""
    return select(Campaign.id).where(Campaign.artist_id == owner)
