"""The one way dashboard code reaches campaigns: scoped to the logged-in artist."""

from flask import abort
from flask_login import current_user

from app.extensions import db
from app.models import Campaign


def my_campaigns():
    return db.select(Campaign).filter_by(artist_id=current_user.id)


def my_campaign(campaign_id: int) -> Campaign:
    """The current artist's campaign, or 404 (never 403: others' ids are not even confirmed)."""
    campaign = db.session.scalar(my_campaigns().filter_by(id=campaign_id))
    if campaign is None:
        abort(404)
    return campaign
