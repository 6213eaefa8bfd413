"""The workspace's activity log: who created, edited, paused, deleted, exported, invited or
removed what, and when. Owners read it on the members page."""

from app.extensions import db
from app.models import Activity, Artist
from app.workspaces.scope import current_membership

ACTIONS = {
    "campaign.created": "created campaign",
    "campaign.edited": "edited campaign",
    "campaign.paused": "paused campaign",
    "campaign.resumed": "resumed campaign",
    "campaign.deleted": "deleted campaign",
    "subscribers.exported": "exported the subscribers of",
    "member.invited": "invited",
    "member.joined": "joined as",
    "member.role_changed": "changed the role of",
    "member.removed": "removed",
    "member.left": "left the workspace",
}


def record(action: str, subject: str) -> None:
    """Write one line for the acting account (logged in, or an API token's creator) in the
    workspace it works in."""
    membership = current_membership()
    write(membership.workspace_id, membership.artist_id, action, subject)


def write(workspace_id: int, artist_id: int, action: str, subject: str) -> None:
    who = db.session.get(Artist, artist_id)
    db.session.add(
        Activity(
            workspace_id=workspace_id,
            artist_id=who.id,
            who=who.email,
            action=action,
            subject=subject[:300],
        )
    )
    db.session.commit()


def recent(workspace_id: int, limit: int = 200) -> list[Activity]:
    return db.session.scalars(
        db.select(Activity)
        .filter_by(workspace_id=workspace_id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(limit)
    ).all()
