"""Signed webhooks, delivered through the outbox like every release-day effect.

`emit` writes the event and one due Delivery (kind "webhook") per endpoint that wants it, in
the caller's transaction, so an event is queued exactly when what it reports is committed.
The delivery job claims them with a lease (outbox.py) and POSTs each, signed:

    Dropday-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>
    Dropday-Webhook-Id: <the event's id, the same on every retry>

No redirect is followed, the remote's answer is never shown verbatim (status and duration
only), and the address must be https to a public address, checked again at each send.
A 2xx is done; a 5xx, 429, timeout or refused connection retries with backoff for
RETRY_WINDOW; anything else fails at once. An endpoint failing for DISABLE_AFTER is disabled
and the workspace's owners are emailed.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy import insert, select, update

from app import clock
from app.auth import mail
from app.extensions import db
from app.jobs import enqueue
from app.models import (
    Artist,
    Campaign,
    Delivery,
    Membership,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEvent,
)
from app.release_day import outbox

SIGNATURE_HEADER = "Dropday-Signature"
ID_HEADER = "Dropday-Webhook-Id"
EVENT_HEADER = "Dropday-Event"
RETRY_WINDOW = timedelta(hours=24)
DISABLE_AFTER = timedelta(hours=24)
TIMEOUT = 10  # seconds for one POST
TEMPORARY = {408, 425, 429}


class UnsafeUrl(ValueError):
    """An address webhooks may not be sent to."""


def check_url(url: str) -> None:
    """https to a public address (every address the name resolves to), or UnsafeUrl."""
    allow_private = current_app.config["WEBHOOK_ALLOW_PRIVATE"]
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise UnsafeUrl("Webhook addresses must start with https://.")
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeUrl("Give a full address like https://example.com/hooks/dropday.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):
        raise UnsafeUrl("That address's host name does not resolve.") from None
    if allow_private:
        return
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise UnsafeUrl("Webhooks go to public addresses only.")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


# -- events -------------------------------------------------------------------------------------


def emit(workspace_id: int, event_type: str, payload: dict) -> int:
    """Queue `event_type` for every live endpoint of the workspace that chose it; the caller
    commits. Returns how many deliveries were queued."""
    endpoints = [
        endpoint_id
        for endpoint_id, events in db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.active
            )
        )
        if event_type in events
    ]
    if not endpoints:
        return 0
    now = clock.now()
    event_id = db.session.scalar(
        insert(WebhookEvent)
        .values(
            uid=str(uuid.uuid4()),
            workspace_id=workspace_id,
            type=event_type,
            payload=payload,
            created_at=now,
        )
        .returning(WebhookEvent.id)
    )
    db.session.execute(
        insert(Delivery),
        [
            {
                "kind": "webhook",
                "webhook_id": endpoint_id,
                "event_id": event_id,
                "state": "due",
                "attempts": 0,
                "next_attempt_at": now,
                "due_since": now,
                "created_at": now,
                "updated_at": now,
            }
            for endpoint_id in endpoints
        ],
    )
    return len(endpoints)


def emit_for_campaign(campaign_id: int, event_type: str, payload: dict) -> int:
    workspace_id = db.session.scalar(select(Campaign.workspace_id).filter_by(id=campaign_id))
    if workspace_id is None:
        return 0
    return emit(workspace_id, event_type, {"campaign_id": campaign_id, **payload})


def signup_event(event_type: str, campaign_id: int, signup_id: int, **fields) -> int:
    """signup.created / signup.deleted for one fan: the id, and email, platform and mode."""
    return emit_for_campaign(
        campaign_id,
        event_type,
        {"signup_id": signup_id, "signed_at": clock.now().isoformat()} | fields,
    )


def send_test_event(endpoint: WebhookEndpoint) -> None:
    """A "ping" to this one endpoint, through the outbox like any event; committed."""
    now = clock.now()
    event = WebhookEvent(
        uid=str(uuid.uuid4()),
        workspace_id=endpoint.workspace_id,
        type="ping",
        payload={"message": "A test event from Dropday."},
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    db.session.add(
        Delivery(
            kind="webhook",
            webhook_id=endpoint.id,
            event_id=event.id,
            state="due",
            attempts=0,
            next_attempt_at=now,
            due_since=now,
        )
    )
    db.session.commit()


# -- delivering ---------------------------------------------------------------------------------


class Post(NamedTuple):
    id: int  # the Delivery row
    attempts: int
    due_since: datetime | None
    endpoint_id: int
    event_id: int
    url: str
    secret: str
    body: bytes
    uid: str
    type: str
    failing: bool  # the endpoint had failed since its last success


class Answer(NamedTuple):
    status: int | None
    duration_ms: int
    error: str | None = None
    temporary: bool = True  # worth trying again (a refused address is not)


def deliver_webhooks(lease: outbox.Lease) -> None:
    """The delivery job's handler for kind "webhook": POST each claimed row, record it."""
    rows = db.session.execute(
        select(Delivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.webhook_id)
        .join(WebhookEvent, WebhookEvent.id == Delivery.event_id)
        .where(Delivery.id.in_(lease.ids))
    ).all()
    posts = []
    for delivery, endpoint, event in rows:
        if not endpoint.active:
            outbox.skipped(lease, delivery.id, "The endpoint is disabled.")
            continue
        body = json.dumps(
            {
                "id": event.uid,
                "type": event.type,
                "created_at": event.created_at.isoformat(),
                "data": event.payload,
            },
            separators=(",", ":"),
        ).encode()
        posts.append(
            Post(
                delivery.id,
                delivery.attempts,
                delivery.due_since,
                endpoint.id,
                event.id,
                endpoint.url,
                endpoint.secret,
                body,
                event.uid,
                event.type,
                endpoint.failing_since is not None,
            )
        )
    db.session.commit()
    outbox.in_parallel(lease, posts, _post, _outcome)


def _post(post: Post) -> Answer:
    started = time.monotonic()
    try:
        check_url(post.url)
    except UnsafeUrl as error:
        return Answer(None, 0, str(error), temporary=False)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Dropday-Webhooks/1",
        SIGNATURE_HEADER: sign(post.secret, int(clock.now().timestamp()), post.body),
        ID_HEADER: post.uid,
        EVENT_HEADER: post.type,
    }
    try:
        response = requests.post(
            post.url, data=post.body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )
    except requests.Timeout:
        return Answer(None, _ms(started), "No answer in time.")
    except requests.RequestException:
        return Answer(None, _ms(started), "Could not connect.")
    response.close()
    return Answer(response.status_code, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _outcome(lease: outbox.Lease, post: Post, future) -> None:
    answer: Answer = future.result()
    db.session.add(
        WebhookAttempt(
            endpoint_id=post.endpoint_id,
            event_id=post.event_id,
            at=clock.now(),
            status=answer.status,
            duration_ms=answer.duration_ms,
            error=answer.error,
        )
    )
    db.session.commit()
    status = answer.status
    if status is not None and 200 <= status < 300:
        outbox.done(lease, post.id)
        if post.failing:
            _endpoint_answered(post.endpoint_id)
        return
    reason = answer.error or f"The endpoint answered {status}."
    temporary = answer.temporary and (status is None or status >= 500 or status in TEMPORARY)
    _endpoint_failed(post.endpoint_id)
    now = clock.now()
    if not temporary or now - (post.due_since or now) >= RETRY_WINDOW:
        outbox.failed(lease, post.id, reason)
        return
    wait = timedelta(seconds=outbox.backoff(post.attempts))
    outbox.record(lease, post.id, state="due", next_attempt_at=now + wait, last_error=reason)


def _endpoint_answered(endpoint_id: int) -> None:
    db.session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(failing_since=None)
    )
    db.session.commit()


def _endpoint_failed(endpoint_id: int) -> None:
    """Mark the endpoint failing since now (if it was not); disable it after a day of it."""
    now = clock.now()
    db.session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.failing_since.is_(None))
        .values(failing_since=now)
    )
    disabled = db.session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.active,
            WebhookEndpoint.failing_since <= now - DISABLE_AFTER,
        )
        .values(active=False, disabled_at=now)
    ).rowcount
    db.session.commit()
    if disabled:
        enqueue(send_disabled_notice, endpoint_id, queue_name="mail")


def send_disabled_notice(endpoint_id: int) -> int:
    """Email the workspace's owners that an endpoint was disabled; how many were told."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return 0
    owners = db.session.scalars(
        select(Artist.email)
        .join(Membership, Membership.artist_id == Artist.id)
        .where(Membership.workspace_id == endpoint.workspace_id, Membership.role == "owner")
    ).all()
    for email in owners:
        mail.send(
            email,
            "A Dropday webhook was turned off",
            "webhook_disabled",
            endpoint=endpoint,
            link=mail.link("workspaces.webhooks_page"),
        )
    return len(owners)
