"""Creating and changing campaigns from a validated form."""

import io

from sqlalchemy.exc import IntegrityError

from app.campaigns.artwork import delete_artwork, process_artwork, rendition_name, rendition_names
from app.campaigns.slugs import slugify, unique_slug
from app.extensions import db
from app.media.storage import delete_after_response, storage
from app.models import Artist, Campaign, PreviousSlug
from app.platforms import registry


class SlugTaken(Exception):
    """The page address was taken by a campaign saved at the same moment."""


def slug_owner(slug: str) -> int | None:
    """The campaign that holds `slug`, as its address now or as a previous one.

    A previous address stays its campaign's (it answers with a 301 to the new one), so a
    link fans shared can never lead to a stranger's page.
    """
    current = db.session.scalar(db.select(Campaign.id).filter_by(slug=slug))
    if current is not None:
        return current
    return db.session.scalar(db.select(PreviousSlug.campaign_id).filter_by(slug=slug))


def slug_taken(slug: str, campaign: Campaign | None = None) -> bool:
    """Does another campaign than `campaign` hold this page address, now or before?"""
    owner = slug_owner(slug)
    return owner is not None and (campaign is None or owner != campaign.id)


def _move_address(campaign: Campaign, new_slug: str) -> None:
    """Keep the old address pointing here; taking back an old address un-reserves it."""
    db.session.execute(
        db.delete(PreviousSlug).where(
            PreviousSlug.campaign_id == campaign.id, PreviousSlug.slug == new_slug
        )
    )
    db.session.add(PreviousSlug(campaign_id=campaign.id, slug=campaign.slug))


def save_campaign(
    form, creator: Artist, campaign: Campaign | None = None, workspace_id: int | None = None
) -> Campaign:
    """Apply a validated CampaignForm (a new campaign goes into `workspace_id`, else the
    creator's personal workspace); the artwork is written before the row commits and
    removed again if the commit fails, so neither is left without the other."""
    media = storage()
    new_artwork = palette = None
    upload = form.artwork.data
    if upload and getattr(upload, "filename", ""):
        new_artwork, palette = process_artwork(
            upload.stream, media, form.title.data, form.artist_name.data
        )

    slug = form.slug.data or (campaign.slug if campaign else None)
    if not slug:
        slug = unique_slug(slugify(form.title.data), slug_taken)
    if campaign is None:
        campaign = Campaign(creator=creator, workspace_id=workspace_id)
        db.session.add(campaign)
    old_artwork = campaign.artwork
    if campaign.id is not None and campaign.slug != slug:
        _move_address(campaign, slug)
    campaign.slug = slug
    campaign.title = form.title.data
    campaign.artist_name = form.artist_name.data
    campaign.schedule(form.release_date.data, form.time_zone.data)
    campaign.source = form.parsed_source
    chosen = set(form.platforms.data)
    campaign.platforms = [key for key in registry.KEYS if key in chosen]  # matrix order
    campaign.theme = form.theme.data
    campaign.double_opt_in = bool(form.double_opt_in.data)
    if new_artwork:
        campaign.artwork, campaign.palette = new_artwork, palette
    try:
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if new_artwork:
            delete_artwork(media, new_artwork)
        if isinstance(error, IntegrityError):
            # Another campaign took the address between the check and the save.
            raise SlugTaken(slug) from error
        raise
    if new_artwork and old_artwork:
        delete_after_response(rendition_names(old_artwork))
    return campaign


def refresh_old_artwork() -> int:
    """Refresh every campaign whose artwork predates renditions and palettes; how many."""
    before_renditions = Campaign.artwork.is_not(None) & Campaign.palette_dominant.is_(None)
    waiting = db.session.scalars(db.select(Campaign).where(before_renditions)).all()
    for campaign in waiting:
        refresh_artwork(campaign)
    return len(waiting)


def refresh_artwork(campaign: Campaign) -> None:
    """Make the renditions, share card and palette of artwork stored before they existed,
    from its stored page rendition; the old files go once the campaign points at the new."""
    media = storage()
    old = campaign.artwork
    stored = media.get(rendition_name(old, "page.jpg"))
    if stored is None:
        raise LookupError(f"campaign {campaign.slug}: its artwork's page rendition is missing")
    page = stored.read()
    new, palette = process_artwork(io.BytesIO(page), media, campaign.title, campaign.artist_name)
    campaign.artwork, campaign.palette = new, palette
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        delete_artwork(media, new)
        raise
    delete_artwork(media, old)


def delete_campaign(campaign: Campaign) -> None:
    artwork = campaign.artwork
    db.session.delete(campaign)
    db.session.commit()
    if artwork:
        delete_after_response(rendition_names(artwork))
