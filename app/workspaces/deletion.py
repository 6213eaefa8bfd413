"""Deleting workspaces with their campaigns, and the campaigns' artwork files after."""

from flask import current_app

from app.campaigns.artwork import delete_artwork
from app.extensions import db
from app.models import Campaign, Workspace


def delete_workspaces(workspace_ids: list[int], *also) -> int:
    """Delete the workspaces (and, in the same commit, the statements in `also`); returns how
    many campaigns went. The database cascades the rest; the artwork files go once the rows
    are gone for sure, so a failed commit never leaves a campaign without its picture."""
    keys = db.session.scalars(
        db.select(Campaign.artwork).where(Campaign.workspace_id.in_(workspace_ids))
    ).all()
    db.session.execute(db.delete(Workspace).where(Workspace.id.in_(workspace_ids)))
    for statement in also:
        db.session.execute(statement)
    db.session.commit()
    folder = current_app.config["UPLOAD_FOLDER"]
    for key in keys:
        if key:
            delete_artwork(folder, key)
    return len(keys)
