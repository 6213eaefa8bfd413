"""Connections in progress, bound to the fan's browser by a signed, short-lived cookie.

Start: a random secret goes into the cookie (HttpOnly, path /connect), its digest names a
PendingConnect row holding the `state` sent to the platform and the PKCE verifier. Callback:
the row is deleted as it is read (DELETE ... RETURNING), so a replayed or concurrent
callback finds nothing; its `state` must equal the one that came back. A connected account
then waits in a new row, under a new secret, until the fan has given the email the platform
needs. Rows outlive nothing: each expires, and starting a connection clears expired ones.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select

from app import clock
from app.extensions import db
from app.models import Campaign, PendingConnect
from app.platforms.base import Connected
from app.signed_tokens import SignedToken

COOKIE = "dropday_connect"
COOKIE_PATH = "/connect"
CONSENT_TIME = timedelta(minutes=15)  # to answer the platform's consent screen
EMAIL_TIME = timedelta(minutes=30)  # to give the email after connecting


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_COOKIES = SignedToken("connect", max_age=int(EMAIL_TIME.total_seconds()), max_length=300)


def _cookie_secret() -> str | None:
    secret = _COOKIES.loads(request.cookies.get(COOKIE))
    return secret if isinstance(secret, str) else None


def set_cookie(response, secret: str, lifetime: timedelta) -> None:
    response.set_cookie(
        COOKIE,
        _COOKIES.dumps(secret),
        max_age=int(lifetime.total_seconds()),
        path=COOKIE_PATH,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",  # the platform's redirect back is a top-level GET: Lax sends it
    )


def clear_cookie(response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


def begin(
    campaign: Campaign, platform: str, attribution: str, language: str
) -> tuple[str, PendingConnect]:
    """A new connection in progress; returns the cookie secret and the row (not committed).
    `attribution`: the page's `from` (app/insights/attribution.py), kept for the signup;
    `language`: the page's, for the signup and its release-day messages."""
    now = clock.now()
    db.session.execute(delete(PendingConnect).where(PendingConnect.expires_at < now))
    secret = secrets.token_urlsafe(32)
    row = PendingConnect(
        id=_digest(secret),
        campaign_id=campaign.id,
        platform=platform,
        language=language,
        state=secrets.token_urlsafe(24),
        expires_at=now + CONSENT_TIME,
        attribution=attribution or None,
    )
    db.session.add(row)
    return secret, row


@dataclass(frozen=True)
class Taken:
    campaign_id: int
    verifier: str | None
    language: str  # the page's, when the fan tapped the button
    state_ok: bool  # False: expired, or the `state` that came back is not the one we sent
    attribution: str | None


def take_for_callback(platform: str, state: str | None) -> Taken | None:
    """Consume this browser's pending connection to `platform`; None when it has none (no
    cookie, already used, another platform)."""
    secret = _cookie_secret()
    if secret is None:
        return None
    row = db.session.execute(
        delete(PendingConnect)
        .where(
            PendingConnect.id == _digest(secret),
            PendingConnect.platform == platform,
            PendingConnect.state.is_not(None),
        )
        .returning(
            PendingConnect.campaign_id,
            PendingConnect.state,
            PendingConnect.verifier,
            PendingConnect.language,
            PendingConnect.expires_at,
            PendingConnect.attribution,
        )
    ).one_or_none()
    db.session.commit()
    if row is None:
        return None
    fresh = row.expires_at > clock.now()
    matches = hmac.compare_digest((state or "").encode(), (row.state or "").encode())
    return Taken(row.campaign_id, row.verifier, row.language, fresh and matches, row.attribution)


def hold_connected(
    campaign: Campaign,
    platform: str,
    connected: Connected,
    signup_id: int | None,
    attribution: str | None,
    language: str,
) -> str:
    """Keep a connected account until the fan has given their email; returns the new secret."""
    secret = secrets.token_urlsafe(32)
    row = PendingConnect(
        id=_digest(secret),
        campaign_id=campaign.id,
        platform=platform,
        language=language,
        account_id=connected.account_id,
        signup_id=signup_id,
        expires_at=clock.now() + EMAIL_TIME,
        attribution=attribution,
    )
    row.store_tokens(connected.tokens)
    db.session.add(row)
    db.session.commit()
    return secret


def connected_here(platform: str) -> PendingConnect | None:
    """This browser's connected account waiting for an email, if any (not consumed)."""
    secret = _cookie_secret()
    if secret is None:
        return None
    return db.session.scalar(
        select(PendingConnect).where(
            PendingConnect.id == _digest(secret),
            PendingConnect.platform == platform,
            PendingConnect.state.is_(None),
            PendingConnect.expires_at > clock.now(),
        )
    )


def connected_of(row: PendingConnect) -> Connected:
    return Connected(row.tokens, row.account_id)


def finish(row: PendingConnect) -> None:
    db.session.delete(row)
    db.session.commit()
