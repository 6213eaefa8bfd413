"""Members of a workspace: invitations (signed, single use, expiring), roles, leaving.

The rules that protect a workspace live here, not in the views: only owners manage members,
and a workspace always keeps at least one owner.
"""

from datetime import timedelta

from sqlalchemy import func, update

from app import clock
from app.auth import mail
from app.extensions import db
from app.jobs import enqueue
from app.models import Artist, Invitation, Membership, Workspace
from app.signed_tokens import SignedToken

INVITATION_DAYS = 7
_TOKENS = SignedToken("workspace-invitation")


class LastOwner(Exception):
    """The change would leave the workspace without an owner."""


def create_workspace(artist: Artist, name: str) -> Workspace:
    workspace = Workspace(name=name)
    workspace.memberships.append(Membership(artist_id=artist.id, role="owner"))
    db.session.add(workspace)
    db.session.commit()
    return workspace


def invite(workspace: Workspace, inviter: Artist, email: str, role: str) -> Invitation:
    invitation = Invitation(
        workspace_id=workspace.id,
        email=Artist.normalize_email(email),
        role=role,
        invited_by_id=inviter.id,
        expires_at=clock.now() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.commit()
    enqueue(send_invitation, invitation.id, queue_name="mail")
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return _TOKENS.dumps({"invitation": invitation.id})


def send_invitation(invitation_id: int) -> bool:
    """The job that emails the link; the link itself is the only way in."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        return False
    link = mail.link("workspaces.join", token=invitation_token(invitation))
    subject = f"Join {invitation.workspace.name} on Dropday"
    mail.send(invitation.email, subject, "invitation", invitation=invitation, link=link)
    return True


def open_invitation(token: str | None) -> Invitation | None:
    """The invitation a link names, while it can still be used: not forged, not accepted,
    not expired."""
    data = _TOKENS.loads(token)
    invitation_id = data.get("invitation") if isinstance(data, dict) else None
    if type(invitation_id) is not int:
        return None
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        return None
    return invitation if invitation.expires_at > clock.now() else None


def accept(invitation: Invitation, artist: Artist) -> Membership | None:
    """Join as the invitation says; None if the link was used meanwhile (the conditional
    update lets exactly one of two simultaneous clicks through)."""
    used = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=clock.now())
    )
    if used.rowcount != 1:
        db.session.rollback()
        return None
    membership = db.session.scalar(
        db.select(Membership).filter_by(workspace_id=invitation.workspace_id, artist_id=artist.id)
    )
    if membership is None:
        membership = Membership(
            workspace_id=invitation.workspace_id, artist_id=artist.id, role=invitation.role
        )
        db.session.add(membership)
    db.session.commit()
    return membership


def _owners(workspace_id: int) -> int:
    return db.session.scalar(
        db.select(func.count())
        .select_from(Membership)
        .filter_by(workspace_id=workspace_id, role="owner")
    )


def change_role(membership: Membership, role: str) -> None:
    if membership.role == "owner" and role != "owner" and _owners(membership.workspace_id) == 1:
        raise LastOwner
    membership.role = role
    db.session.commit()


def remove(membership: Membership) -> None:
    """Remove a member (or let one leave); a personal workspace keeps its account."""
    workspace = membership.workspace
    if membership.role == "owner" and _owners(workspace.id) == 1:
        raise LastOwner
    if workspace.personal_of_id == membership.artist_id:
        raise LastOwner
    db.session.delete(membership)
    db.session.commit()


def pending_invitations(workspace_id: int) -> list[Invitation]:
    return db.session.scalars(
        db.select(Invitation)
        .filter_by(workspace_id=workspace_id, accepted_at=None)
        .where(Invitation.expires_at > clock.now())
        .order_by(Invitation.created_at)
    ).all()


def members(workspace_id: int) -> list[Membership]:
    return db.session.scalars(
        db.select(Membership)
        .join(Artist)
        .filter(Membership.workspace_id == workspace_id)
        .order_by(Artist.name, Artist.email)
    ).all()
