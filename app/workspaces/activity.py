"""The workspace's activity log: who created, edited, paused, deleted, exported, invited or
removed what, and when. Owners read it on the members page."""

from flask_login import current_user

from app.extensions import db
from app.models import Activity
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


def record(action: str, subject: str, workspace_id: int | None = None) -> None:
    """Write one line for the logged-in account, in the current workspace unless told."""
    db.session.add(
        Activity(
            workspace_id=workspace_id or current_membership().workspace_id,
            artist_id=current_user.id,
            who=current_user.email,
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
