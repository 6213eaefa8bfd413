"""Deleting an artist's account and everything it owns."""

from app.campaigns.artwork import rendition_names
from app.extensions import db
from app.media.storage import delete_after_response
from app.models import Artist, Campaign


def delete_account(artist: Artist) -> int:
    """Delete `artist`; returns how many campaigns went with it.

    The database removes the rest: campaigns, log-in sessions and (through the campaigns)
    every fan's signup and connection cascade on delete. Artwork goes once the rows are
    gone for sure and the response is sent, so a failed commit never leaves a campaign
    without its picture.
    """
    keys = db.session.scalars(
        db.select(Campaign.artwork).where(Campaign.artist_id == artist.id)
    ).all()
    db.session.execute(db.delete(Artist).where(Artist.id == artist.id))
    db.session.commit()
    delete_after_response([name for key in keys if key for name in rendition_names(key)])
    return len(keys)
