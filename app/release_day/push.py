"""Release-day Web Push: a notification to every fan who allowed it, once.

Sent with pywebpush (RFC 8291 aes128gcm encryption) and VAPID (RFC 8292). The VAPID header
is signed once per push service and reused while valid, and one HTTP session per worker
keeps connections to push services open, so a batch costs an encryption per fan and little
else. A 404 or 410 means the browser dropped the subscription: it is deleted.

The payload (JSON) the service worker shows: {"title", "body", "url", "icon"}; `url` is the
fan's personal routing link with source "push".
"""

import json
import logging
import threading
import time
from urllib.parse import urlsplit

import requests
from flask import current_app
from py_vapid import Vapid02
from pywebpush import WebPusher
from sqlalchemy import delete, select

from app.extensions import db
from app.jobs import Lease, release
from app.models import Campaign, Delivery, PushSubscription, Signup
from app.platforms import registry
from app.platforms.http import retry_after
from app.release_day.deliver import done, failed, retry_later, skipped
from app.release_day.links import personal_link

log = logging.getLogger(__name__)

TTL = 24 * 3600  # a phone that is off for the night still gets it in the morning
VAPID_LIFETIME = 12 * 3600  # RFC 8292: at most 24 h
_lock = threading.Lock()


class Pusher:
    """What pushing needs that is worth keeping between batches (one per app)."""

    def __init__(self, config):
        key = (config.get("VAPID_PRIVATE_KEY") or "").strip()
        if not key:
            raise RuntimeError("VAPID_PRIVATE_KEY is not set: Web Push cannot be signed.")
        self.vapid = (
            Vapid02.from_pem(key.encode()) if key.startswith("-----") else Vapid02.from_string(key)
        )
        self.subject = config.get("VAPID_SUBJECT") or "mailto:noreply@localhost"
        self.session = requests.Session()
        self._headers: dict[str, tuple[dict, float]] = {}

    def vapid_headers(self, endpoint: str) -> dict:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        cached = self._headers.get(audience)
        if cached and cached[1] - time.time() > 3600:
            return dict(cached[0])
        expires = time.time() + VAPID_LIFETIME
        headers = self.vapid.sign({"aud": audience, "sub": self.subject, "exp": int(expires)})
        self._headers[audience] = (headers, expires)
        return dict(headers)

    def send(self, subscription: dict, payload: dict) -> requests.Response:
        pusher = WebPusher(subscription, requests_session=self.session)
        return pusher.send(
            json.dumps(payload).encode(),
            headers={**self.vapid_headers(subscription["endpoint"]), "Urgency": "normal"},
            ttl=TTL,
            content_encoding="aes128gcm",
            timeout=(3.05, 10),
        )


def pusher(app=None) -> Pusher:
    app = app or current_app
    with _lock:
        if "dropday.pusher" not in app.extensions:
            app.extensions["dropday.pusher"] = Pusher(app.config)
        return app.extensions["dropday.pusher"]


def deliver_pushes(lease: Lease) -> None:
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.campaign_id,
            Delivery.attempts,
            Delivery.due_since,
            Signup.id.label("signup_id"),
            Signup.platform,
            PushSubscription.id.label("subscription_id"),
            PushSubscription.endpoint,
            PushSubscription.p256dh,
            PushSubscription.auth,
        )
        .join(Signup, Signup.id == Delivery.signup_id)
        .outerjoin(PushSubscription, PushSubscription.signup_id == Delivery.signup_id)
        .where(Delivery.id.in_(lease.ids))
        .order_by(Delivery.id)
    ).all()
    campaigns: dict[int, Campaign] = {}
    for n, row in enumerate(rows):
        if lease.ending():
            release(lease, [r.id for r in rows[n:]])
            return
        if row.subscription_id is None:
            skipped(lease, row.id, "the fan's browser no longer has a push subscription")
            continue
        if row.campaign_id not in campaigns:
            campaigns[row.campaign_id] = db.session.get(Campaign, row.campaign_id)
        payload = _payload(campaigns[row.campaign_id], row)
        subscription = {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}
        try:
            response = pusher().send(subscription, payload)
        except requests.RequestException as error:
            retry_later(lease, row, f"push service unreachable: {error.__class__.__name__}")
            continue
        except Exception as error:
            failed(lease, row.id, f"the push could not be sent: {error}")
            continue
        status = response.status_code
        # Accepted: the one window where a crash repeats the effect is here, as for email
        # (see mail.py): the push service has the message, the row is marked just below.
        if status < 300:
            done(lease, row.id)
        elif status in (404, 410):
            db.session.execute(
                delete(PushSubscription).where(PushSubscription.id == row.subscription_id)
            )
            db.session.commit()
            failed(lease, row.id, f"the browser unsubscribed from push ({status})")
        elif status == 429 or status >= 500:
            retry_later(lease, row, f"push service busy ({status})", retry_after(response))
        else:
            failed(lease, row.id, f"the push service refused it ({status})")


def _payload(campaign: Campaign, row) -> dict:
    base = current_app.config["PUBLIC_URL"]
    platform = registry.BY_KEY.get(row.platform)
    listen = f"Listen on {platform.name}" if platform and platform.key != "other" else "Listen now"
    return {
        "title": f"{campaign.title} is out now",
        "body": f"{campaign.artist_name} · {listen}",
        "url": personal_link(row.signup_id, "push"),
        "icon": f"{base}/artwork/{campaign.artwork}-thumb.jpg" if campaign.artwork else None,
    }
