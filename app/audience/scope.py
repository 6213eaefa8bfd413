"""Whose audience: the one place that says it. An audience belongs to a workspace: fans of
any of its campaigns who ticked the box, whoever in the workspace made the campaign. The
dashboard shows and sends to the current workspace's (app/workspaces/scope.py)."""

from sqlalchemy import select

from app.models import Campaign


def owner_of(campaign) -> int:
    """The audience a signup to `campaign` (a Campaign or a CampaignCopy) joins."""
    return campaign.workspace_id


def campaigns_of(owner: int):
    """The ids of the campaigns whose fans make up `owner`'s audience, as a subquery."""
    return select(Campaign.id).where(Campaign.workspace_id == owner)
