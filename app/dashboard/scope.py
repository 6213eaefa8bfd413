"""The one way dashboard code reaches campaigns: scoped to the logged-in artist."""

from flask import abort
from flask_login import current_user

from app.extensions import db
from app.models import Campaign


def my_campaigns():
    return db.select(Campaign).filter_by(artist_id=current_user.id)


# PostgreSQL's `integer` (and so every id) ends here; a larger number in a URL is no id at all,
# and asking the database about it fails (numeric out of range, or SQLite's int64 overflow).
MAX_ID = 2**31 - 1


def my_campaign(campaign_id: int | None) -> Campaign:
    """The current artist's campaign, or 404 (never 403: others' ids are not even confirmed)."""
    if campaign_id is None or not 1 <= campaign_id <= MAX_ID:
        abort(404)
    campaign = db.session.scalar(my_campaigns().filter_by(id=campaign_id))
    if campaign is None:
        abort(404)
    return campaign
