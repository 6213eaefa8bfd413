"""Personal access tokens: made in the account page, shown once, stored as a hash.

A token acts in one workspace with a role no higher than its creator's there; it stops
working when revoked, and also when its creator leaves the workspace (the API checks the
membership on every request).
"""

import hashlib
import secrets

from app import clock
from app.extensions import db
from app.models import ApiToken, Artist, Membership
from app.models.workspace import role_allows

PREFIX = "ddp_"


class RoleTooHigh(Exception):
    """A token may not do more than its creator may."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(artist: Artist, workspace_id: int, role: str, name: str) -> tuple[ApiToken, str]:
    """The new row and the token itself, which is never stored and shown only now."""
    membership = db.session.scalar(
        db.select(Membership).filter_by(workspace_id=workspace_id, artist_id=artist.id)
    )
    if membership is None or not role_allows(membership.role, role):
        raise RoleTooHigh
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        artist_id=artist.id,
        workspace_id=workspace_id,
        role=role,
        name=name,
        digest=digest(token),
        prefix=token[: len(PREFIX) + 4],
    )
    db.session.add(row)
    db.session.commit()
    return row, token


def tokens_of(artist: Artist) -> list[ApiToken]:
    return db.session.scalars(
        db.select(ApiToken)
        .filter_by(artist_id=artist.id, revoked_at=None)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def revoke(artist: Artist, token_id: int) -> bool:
    result = db.session.execute(
        db.update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.artist_id == artist.id)
        .where(ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    db.session.commit()
    return result.rowcount == 1


def authenticate(token: str) -> tuple[ApiToken, Membership] | None:
    """The live token and the membership it acts with (its role capped by the token's)."""
    row = db.session.scalar(db.select(ApiToken).filter_by(digest=digest(token), revoked_at=None))
    if row is None:
        return None
    membership = db.session.scalar(
        db.select(Membership).filter_by(workspace_id=row.workspace_id, artist_id=row.artist_id)
    )
    if membership is None:
        return None
    row.last_used_at = clock.now()
    db.session.commit()
    role = row.role if role_allows(membership.role, row.role) else membership.role
    acting = Membership(workspace_id=row.workspace_id, artist_id=row.artist_id, role=role)
    return row, acting
