"""Deleting workspaces with their campaigns, and the campaigns' artwork files after."""

from app.campaigns.artwork import rendition_names
from app.extensions import db
from app.media.storage import delete_after_response
from app.models import Campaign, Workspace


def delete_workspaces(workspace_ids: list[int], *also) -> int:
    """Delete the workspaces (and, in the same commit, the statements in `also`); returns how
    many campaigns went. The database cascades the rest; the artwork goes once the rows are
    gone for sure and the response is sent, so a failed commit never leaves a campaign
    without its picture."""
    keys = db.session.scalars(
        db.select(Campaign.artwork).where(Campaign.workspace_id.in_(workspace_ids))
    ).all()
    db.session.execute(db.delete(Workspace).where(Workspace.id.in_(workspace_ids)))
    for statement in also:
        db.session.execute(statement)
    db.session.commit()
    delete_after_response([name for key in keys if key for name in rendition_names(key)])
    return len(keys)
