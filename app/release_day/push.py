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
from concurrent.futures import Future
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import force_locale
from py_vapid import Vapid02
from pywebpush import WebPusher
from sqlalchemy import Row, delete

from app import user_urls
from app.extensions import db
from app.models import PushSubscription
from app.platforms.http import retry_after
from app.release_day import outages, wording
from app.release_day.content import Release, batch_rows, releases
from app.release_day.links import personal_link
from app.release_day.outbox import (
    PARALLEL,
    Lease,
    done,
    failed,
    in_parallel,
    retry_later,
    skipped,
)

log = logging.getLogger(__name__)

TTL = 24 * 3600  # a phone that is off for the night still gets it in the morning
VAPID_LIFETIME = 12 * 3600  # RFC 8292: at most 24 h
_lock = threading.Lock()
REFUSED = "push service refused it"


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
        self.config = config
        # Endpoints are the fans' choice: user_urls' guarded session (public https only,
        # checked at connect time; the simulator's push service is on this machine).
        # Pushes of a batch go out from several threads (outbox.in_parallel).
        self.session = user_urls.session(PARALLEL, allow_private=config["PLATFORM_MODE"] != "live")
        self._headers: dict[str, tuple[dict, float]] = {}
        self._headers_lock = threading.Lock()

    def vapid_headers(self, endpoint: str) -> dict:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        with self._headers_lock:
            cached = self._headers.get(audience)
            if cached and cached[1] - time.time() > 3600:
                return dict(cached[0])
            expires = time.time() + VAPID_LIFETIME
            claims = {"aud": audience, "sub": self.subject, "exp": int(expires)}
            headers = self.vapid.sign(claims)
            self._headers[audience] = (headers, expires)
            return dict(headers)

    def send(self, subscription: dict, payload: dict) -> requests.Response:
        user_urls.check(subscription["endpoint"], self.config)  # again: DNS may have changed
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
    rows = batch_rows(
        lease,
        PushSubscription.id.label("subscription_id"),
        PushSubscription.endpoint,
        PushSubscription.p256dh,
        PushSubscription.auth,
        outer=PushSubscription,
    )
    by_campaign = releases(row.campaign_id for row in rows)
    db.session.rollback()  # read all it needs: hold no transaction while pushing
    pushes = []
    for row in rows:
        if row.subscription_id is None:
            skipped(lease, row.id, "the fan's browser no longer has a push subscription")
            continue
        with force_locale(row.language):  # the language the fan signed up in
            pushes.append(Push(row, _payload(by_campaign[row.campaign_id], row)))
    sender = pusher()
    answered = []

    def pushed(lease: Lease, push: Push, outcome: Future) -> None:
        if _pushed(lease, push, outcome):
            answered.append(push.id)

    in_parallel(lease, pushes, lambda push: sender.send(push.subscription, push.payload), pushed)
    if answered:
        outages.over(outages.PUSH)


@dataclass(frozen=True)
class Push:
    row: Row  # the batch row: the delivery and the fan's subscription
    payload: dict

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def subscription(self) -> dict:
        row = self.row
        return {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}


def _pushed(lease: Lease, push: Push, outcome: Future) -> bool:
    """What the push service answered, recorded by the job's thread; whether it answered
    (an unreachable or overloaded service is noted as an outage)."""
    row = push.row
    try:
        response = outcome.result()
    except user_urls.UnsafeURL as error:
        log.warning("push endpoint refused for delivery %s: %s", row.id, error)
        failed(lease, row.id, REFUSED)
        return False
    except requests.RequestException as error:
        outages.noticed(outages.PUSH, "push service unreachable")
        retry_later(lease, row, f"push service unreachable: {error.__class__.__name__}")
        return False
    except Exception as error:
        log.warning("push for delivery %s not sent: %s", row.id, error)
        failed(lease, row.id, "the push could not be sent")
        return True
    status = response.status_code
    # Accepted: the one window where a crash repeats the effect is here, as for email
    # (see mail.py, and in_parallel for the pushes in flight at once).
    if status < 300:
        done(lease, row.id)
    elif status in (404, 410):
        db.session.execute(
            delete(PushSubscription).where(PushSubscription.id == row.subscription_id)
        )
        db.session.commit()
        failed(lease, row.id, "the browser unsubscribed from push")
    elif status == 429 or status >= 500:
        outages.noticed(outages.PUSH, f"push service busy ({status})")
        retry_later(lease, row, "push service busy", retry_after(response))
        return False
    else:
        # The answer of a host a stranger chose is never shown: it would make a port scanner.
        failed(lease, row.id, REFUSED)
    return True


def _payload(release: Release, row) -> dict:
    return {
        "title": wording.push_title(release.title),
        "body": f"{release.artist_name} · {wording.listen(row.platform)}",
        "url": personal_link(row.signup_id, "push"),
        "icon": release.icon_url,
    }
