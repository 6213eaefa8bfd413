"""Deleting an artist's account and everything it alone owns."""

from flask import current_app
from sqlalchemy import func

from app.campaigns.artwork import delete_artwork
from app.extensions import db
from app.models import Artist, Campaign, Membership, Workspace


def _workspaces_left_alone(artist: Artist) -> list[int]:
    """The workspaces that would have no member once `artist` goes: the personal one, and any
    shared one where nobody else is left."""
    members = (
        db.select(Membership.workspace_id)
        .group_by(Membership.workspace_id)
        .having(func.count() == 1)
        .scalar_subquery()
    )
    return db.session.scalars(
        db.select(Workspace.id)
        .join(Membership)
        .where(Membership.artist_id == artist.id)
        .where((Workspace.personal_of_id == artist.id) | Workspace.id.in_(members))
    ).all()


def delete_account(artist: Artist) -> int:
    """Delete `artist`; returns how many campaigns went with it.

    The database removes the rest: the workspaces nobody else is in (their campaigns, every
    fan's signup and connection cascade on delete), memberships and log-in sessions. Campaigns
    of shared workspaces stay there. Artwork files go once the rows are gone for sure, so a
    failed commit never leaves a campaign without its picture.
    """
    alone = _workspaces_left_alone(artist)
    keys = db.session.scalars(
        db.select(Campaign.artwork).where(Campaign.workspace_id.in_(alone))
    ).all()
    db.session.execute(db.delete(Workspace).where(Workspace.id.in_(alone)))
    db.session.execute(db.delete(Artist).where(Artist.id == artist.id))
    db.session.commit()
    folder = current_app.config["UPLOAD_FOLDER"]
    for key in keys:
        if key:
            delete_artwork(folder, key)
    return len(keys)
