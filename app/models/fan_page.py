"""What the fan page keeps besides signups: a campaign's previous addresses and the fans'
connections in progress.

PreviousSlug: links shared on Instagram outlive a rename, so a campaign's old address keeps
answering with a 301 to the new one. An old address stays reserved for its campaign (another
campaign cannot take it), so a shared link can never be taken over by a stranger's page; the
campaign itself may take it back. Should a race still give the address to a campaign, the
current owner wins: the fan route looks up campaigns before previous addresses.

PendingConnect: a direct-save connection between "start" and the fan's email. It is named by
a short-lived signed cookie in the fan's browser (so `state` is bound to that browser) and is
consumed by deleting it, so a replayed callback finds nothing. The fan page itself keeps no
per-visitor state and stays cacheable.
"""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.held_tokens import HoldsTokens
from app.models.types import EncryptedText, UTCDateTime, utcnow


class PreviousSlug(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(db.String(60), unique=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class PendingConnect(HoldsTokens, db.Model):
    # sha256 of the secret in the fan's cookie: a copy of this table opens no connection.
    id: Mapped[str] = mapped_column(db.String(64), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(db.String(32))
    language: Mapped[str] = mapped_column(db.String(8), default="en", server_default="en")
    # Until the platform answers: the OAuth `state` we sent and the PKCE verifier.
    state: Mapped[str | None] = mapped_column(db.String(128))
    verifier: Mapped[str | None] = mapped_column(EncryptedText)
    # After it answered, while the fan gives their email: the account and its tokens.
    account_id: Mapped[str | None] = mapped_column(db.String(128))
    access_token: Mapped[str | None] = mapped_column(EncryptedText)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    token_expires_at = mapped_column(UTCDateTime)
    scope: Mapped[str | None] = mapped_column(db.String(255))
    # Set once the signup is recorded (email optional): a later email attaches to it.
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signup.id", ondelete="CASCADE"))
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)
    # Where the fan came from (the page's channel, source, UTM; app/insights/attribution.py),
    # so the signup this connection becomes is counted for them.
    attribution: Mapped[str | None] = mapped_column(db.String(400))
