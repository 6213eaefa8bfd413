"""Deleting an artist's account and everything it owns."""

from flask import current_app

from app.campaigns.artwork import delete_artwork
from app.extensions import db
from app.models import Artist, Campaign


def delete_account(artist: Artist) -> int:
    """Delete `artist`; returns how many campaigns went with it.

    The database removes the rest: campaigns, log-in sessions and (through the campaigns)
    every fan's signup and connection cascade on delete. Artwork files go once the rows are
    gone for sure, so a failed commit never leaves a campaign without its picture.
    """
    keys = db.session.scalars(
        db.select(Campaign.artwork).where(Campaign.artist_id == artist.id)
    ).all()
    db.session.execute(db.delete(Artist).where(Artist.id == artist.id))
    db.session.commit()
    folder = current_app.config["UPLOAD_FOLDER"]
    for key in keys:
        if key:
            delete_artwork(folder, key)
    return len(keys)
