"""Deleting an artist's account and everything it alone owns."""

from sqlalchemy import func

from app.extensions import db
from app.models import Artist, Membership, Workspace
from app.workspaces.deletion import delete_workspaces


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
    """Delete `artist` with the workspaces nobody else is in; returns how many campaigns went.

    Memberships and log-in sessions cascade; campaigns of shared workspaces stay there.
    """
    alone = _workspaces_left_alone(artist)
    return delete_workspaces(alone, db.delete(Artist).where(Artist.id == artist.id))
