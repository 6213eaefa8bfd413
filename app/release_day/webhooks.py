"""Signed webhooks, delivered through the outbox like every release-day effect.

Events are queued by webhook_events.py (one due Delivery of kind "webhook" per endpoint that
wants it). The delivery job claims them with a lease (outbox.py) and POSTs each, signed:

    Dropday-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>
    Dropday-Webhook-Id: <the event's id, the same on every retry>

Endpoints are artists' URLs, so they follow the push endpoints' rule (app/user_urls.py):
https to a public address, checked when saved and again when connecting (a name rebound to
a private address is never contacted), no redirect followed, through user_urls' guarded
session; `WEBHOOK_ALLOW_PRIVATE` lifts it for an installation posting into its own network.
Each worker keeps one pooled keep-alive session, and a batch's POSTs go out in parallel.
The remote's answer is never shown verbatim (status and duration only).
A 2xx is done; a 5xx, 429, timeout or refused connection retries with backoff for
RETRY_WINDOW; anything else fails at once. An endpoint failing for DISABLE_AFTER is disabled
and the workspace's owners are emailed.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
from datetime import datetime, timedelta
from typing import NamedTuple

import requests
from flask import current_app
from sqlalchemy import insert, select, update

from app import clock, user_urls
from app.auth import mail
from app.extensions import db
from app.jobs import enqueue
from app.models import (
    Artist,
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
PARALLEL = 16  # POSTs of a batch in flight at once: each mostly waits on its receiver
_lock = threading.Lock()


def check_url(url: str) -> None:
    """The rule for an endpoint's address (user_urls.UnsafeURL says why not)."""
    user_urls.check_public(url, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _session() -> requests.Session:
    """This worker's session for webhooks (one per app, kept between batches)."""
    app = current_app._get_current_object()
    with _lock:
        if "dropday.webhooks" not in app.extensions:
            app.extensions["dropday.webhooks"] = user_urls.session(
                PARALLEL, allow_private=app.config["WEBHOOK_ALLOW_PRIVATE"]
            )
        return app.extensions["dropday.webhooks"]


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
    outbox.in_parallel(lease, posts, _post, _outcome, parallel=PARALLEL)


def _post(post: Post) -> Answer:
    started = time.monotonic()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Dropday-Webhooks/1",
        SIGNATURE_HEADER: sign(post.secret, int(clock.now().timestamp()), post.body),
        ID_HEADER: post.uid,
        EVENT_HEADER: post.type,
    }
    try:
        response = _session().post(post.url, data=post.body, headers=headers, timeout=TIMEOUT)
    except user_urls.UnsafeURL as error:  # at connect time: the name now points elsewhere
        return Answer(None, _ms(started), str(error)[:200], temporary=False)
    except requests.Timeout:
        return Answer(None, _ms(started), "No answer in time.")
    except requests.RequestException:
        return Answer(None, _ms(started), "Could not connect.")
    response.close()  # its body is never read: the connection goes back to the pool
    return Answer(response.status_code, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


_ATTEMPT = insert(WebhookAttempt.__table__)


def _outcome(lease: outbox.Lease, post: Post, future) -> None:
    answer: Answer = future.result()
    outbox.note(
        post.id,
        _ATTEMPT,
        {
            "endpoint_id": post.endpoint_id,
            "event_id": post.event_id,
            "at": clock.now(),
            "status": answer.status,
            "duration_ms": answer.duration_ms,
            "error": answer.error,
        },
    )
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
