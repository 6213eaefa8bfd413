"""The one way dashboard code reaches workspaces and campaigns: through the workspace the
logged-in account is working in, with its role there.

The workspace is the one chosen in the switcher (kept in the session), or the account's
personal workspace. Anything outside it answers 404 (never 403: others' ids are not even
confirmed); a role too low for what is asked answers 403.
"""

from flask import abort, g, session
from flask_login import current_user

from app.extensions import db
from app.models import Campaign, Membership, Workspace

SESSION_KEY = "workspace"

# PostgreSQL's `integer` (and so every id) ends here; a larger number in a URL is no id at all,
# and asking the database about it fails (numeric out of range, or SQLite's int64 overflow).
MAX_ID = 2**31 - 1


def is_id(value) -> bool:
    return type(value) is int and 1 <= value <= MAX_ID


def _membership_in(workspace_id: int) -> Membership | None:
    return db.session.scalar(
        db.select(Membership).filter_by(workspace_id=workspace_id, artist_id=current_user.id)
    )


def current_membership() -> Membership:
    """The logged-in account's membership in the workspace it is working in."""
    if "membership" not in g:
        chosen = session.get(SESSION_KEY)
        membership = _membership_in(chosen) if is_id(chosen) else None
        if membership is None:  # none chosen, or no longer a member there
            membership = db.session.scalar(
                db.select(Membership)
                .join(Workspace)
                .where(Membership.artist_id == current_user.id)
                .order_by(Workspace.personal_of_id.is_(None), Membership.id)
            )
        if membership is None:
            abort(404)
        g.membership = membership
    return g.membership


def switch_to(workspace_id: int) -> Membership:
    """Work in `workspace_id` from now on; 404 unless the account is a member there."""
    membership = _membership_in(workspace_id) if is_id(workspace_id) else None
    if membership is None:
        abort(404)
    session[SESSION_KEY] = workspace_id
    g.membership = membership
    return membership


def require_role(needed: str) -> Membership:
    membership = current_membership()
    if not membership.allows(needed):
        abort(403)
    return membership


def workspace_campaigns():
    return db.select(Campaign).filter_by(workspace_id=current_membership().workspace_id)


def workspace_campaign(campaign_id: int | None) -> Campaign:
    """The current workspace's campaign, or 404."""
    if not is_id(campaign_id):
        abort(404)
    campaign = db.session.scalar(workspace_campaigns().filter_by(id=campaign_id))
    if campaign is None:
        abort(404)
    return campaign


def my_memberships() -> list[Membership]:
    """Every workspace the account belongs to, personal first (for the switcher)."""
    return db.session.scalars(
        db.select(Membership)
        .join(Workspace)
        .where(Membership.artist_id == current_user.id)
        .order_by(Workspace.personal_of_id.is_(None), Workspace.name)
    ).all()
