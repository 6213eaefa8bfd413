"""What webhooks report: each event written once, with one due Delivery (kind "webhook") per
endpoint of the workspace that chose it, in the caller's transaction, so an event is queued
exactly when what it reports is committed. Sending them is webhooks.py's.

The outbox (outbox.py) reports its own final failures here (`delivery_failed`), so this
module imports nothing of release day's sending side.
"""

import uuid

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app import clock
from app.extensions import db
from app.models import Campaign, Delivery, WebhookEndpoint, WebhookEvent


def emit(
    workspace_id: int, event_type: str, payload: dict, on: Session | Connection | None = None
) -> int:
    """Queue `event_type` for every live endpoint of the workspace that chose it, through
    `on` (default: the session); the caller commits. Returns how many were queued."""
    on = db.session if on is None else on
    endpoints = [
        endpoint_id
        for endpoint_id, events in on.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.active
            )
        )
        if event_type in events
    ]
    if endpoints:
        _queue(on, workspace_id, event_type, payload, endpoints)
    return len(endpoints)


def _queue(on, workspace_id: int, event_type: str, payload: dict, endpoints: list[int]) -> None:
    now = clock.now()
    event_id = on.scalar(
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
    on.execute(
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


def emit_for_campaign(
    campaign_id: int, event_type: str, payload: dict, on: Session | Connection | None = None
) -> int:
    on = db.session if on is None else on
    workspace_id = on.scalar(select(Campaign.workspace_id).where(Campaign.id == campaign_id))
    if workspace_id is None:
        return 0
    return emit(workspace_id, event_type, {"campaign_id": campaign_id, **payload}, on)


def signup_event(event_type: str, campaign_id: int, signup_id: int, **fields) -> int:
    """signup.created / signup.deleted for one fan: the id, and email, platform and mode."""
    return emit_for_campaign(
        campaign_id,
        event_type,
        {"signup_id": signup_id, "signed_at": clock.now().isoformat()} | fields,
    )


def delivery_failed(on: Connection, failure, reason: str) -> int:
    """delivery.failed for a fan's save, email or push that finally failed; `failure` is
    the row as the outbox's failing UPDATE returned it (id, kind, campaign, signup,
    platform). Written on the outbox's connection, in the transaction that records the
    failure: reported once, and only if the failure was recorded."""
    return emit_for_campaign(
        failure.campaign_id,
        "delivery.failed",
        {
            "delivery_id": failure.id,
            "kind": failure.kind,
            "signup_id": failure.signup_id,
            "platform": failure.platform,
            "reason": reason,
            "failed_at": clock.now().isoformat(),
        },
        on,
    )


def send_test_event(endpoint: WebhookEndpoint) -> None:
    """A "ping" to this one endpoint, through the outbox like any event; committed."""
    _queue(
        db.session,
        endpoint.workspace_id,
        "ping",
        {"message": "A test event from Dropday."},
        [endpoint.id],
    )
    db.session.commit()
