"""Creating and changing campaigns from a validated form."""

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.campaigns.artwork import delete_artwork, process_artwork
from app.campaigns.slugs import slugify, unique_slug
from app.extensions import db
from app.models import Artist, Campaign
from app.platforms import registry


class SlugTaken(Exception):
    """The page address was taken by a campaign saved at the same moment."""


def slug_taken(slug: str, campaign: Campaign | None = None) -> bool:
    """Does another campaign than `campaign` use this page address?"""
    query = db.select(Campaign.id).filter_by(slug=slug)
    if campaign is not None and campaign.id is not None:
        query = query.where(Campaign.id != campaign.id)
    return db.session.scalar(query) is not None


def save_campaign(form, owner: Artist, campaign: Campaign | None = None) -> Campaign:
    """Apply a validated CampaignForm; the artwork is written before the row commits and
    removed again if the commit fails, so neither is left without the other."""
    folder = current_app.config["UPLOAD_FOLDER"]
    new_artwork = None
    upload = form.artwork.data
    if upload and getattr(upload, "filename", ""):
        new_artwork = process_artwork(upload.stream, folder)

    slug = form.slug.data or (campaign.slug if campaign else None)
    if not slug:
        slug = unique_slug(slugify(form.title.data), slug_taken)
    if campaign is None:
        campaign = Campaign(owner=owner)
        db.session.add(campaign)
    old_artwork = campaign.artwork
    campaign.slug = slug
    campaign.title = form.title.data
    campaign.artist_name = form.artist_name.data
    campaign.schedule(form.release_date.data, form.time_zone.data)
    campaign.source = form.parsed_source
    chosen = set(form.platforms.data)
    campaign.platforms = [key for key in registry.KEYS if key in chosen]  # matrix order
    if new_artwork:
        campaign.artwork = new_artwork
    try:
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if new_artwork:
            delete_artwork(folder, new_artwork)
        if isinstance(error, IntegrityError):
            # Another campaign took the address between the check and the save.
            raise SlugTaken(slug) from error
        raise
    if new_artwork and old_artwork:
        delete_artwork(folder, old_artwork)
    return campaign


def delete_campaign(campaign: Campaign) -> None:
    artwork = campaign.artwork
    db.session.delete(campaign)
    db.session.commit()
    if artwork:
        delete_artwork(current_app.config["UPLOAD_FOLDER"], artwork)
