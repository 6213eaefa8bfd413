"""A Web Push service, as browsers' push services behave (RFC 8030, 8291, 8292).

The simulator makes subscriptions the way a browser would: `subscribe(sim, simulator_url)`
creates a P-256 key pair and an auth secret, keeps the private half, and hands back what a
browser's `PushSubscription.toJSON()` gives a page (endpoint, keys.p256dh, keys.auth).
A push to the endpoint must carry a valid VAPID JWT for this service's origin and an
aes128gcm body; the service decrypts it with the subscription's private key (http_ece, the
library pywebpush itself uses) and records it, readable with `received(sim)`.

Faults (Simulator.fail("push", kind, ...)): "rate_limit" (429 with Retry-After),
"server_error" (5xx), "slow", "quota" (429), and "gone" (410, or `status=404`): the
browser dropped the subscription. `unsubscribe(sim, endpoint)` makes one subscription
answer 410 from then on; `redirect(sim, endpoint, url)` makes it answer 307 to `url`.
"""

import base64
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import jsonify, request
from flask import redirect as flask_redirect
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from app.simulator.faults import Fault
from app.simulator.routing import fault_answer, sim_route


@dataclass
class Subscription:
    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    gone: bool = False
    moved_to: str | None = None


@dataclass(frozen=True)
class ReceivedPush:
    endpoint: str
    payload: bytes  # decrypted
    ttl: int
    urgency: str | None
    at: datetime  # simulator clock

    def json(self):
        return json.loads(self.payload)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _state(sim) -> dict:
    scratch = sim.scratch("push")
    scratch.setdefault("subscriptions", {})
    scratch.setdefault("received", [])
    return scratch


def subscribe(sim, simulator_url: str) -> dict:
    """A new subscription, as a browser's PushSubscription.toJSON()."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = secrets.token_bytes(16)
    token = secrets.token_urlsafe(16)
    endpoint = f"{simulator_url.rstrip('/')}/push/send/{token}"
    with sim.lock:
        _state(sim)["subscriptions"][token] = Subscription(token, endpoint, private_key, auth)
    return {"endpoint": endpoint, "keys": {"p256dh": _b64(public), "auth": _b64(auth)}}


def unsubscribe(sim, endpoint: str) -> None:
    """The browser drops the subscription: pushes to it answer 410 from now on."""
    with sim.lock:
        for subscription in _state(sim)["subscriptions"].values():
            if subscription.endpoint == endpoint:
                subscription.gone = True


def redirect(sim, endpoint: str, url: str) -> None:
    """Pushes to the subscription are answered with a redirect to `url` from now on."""
    with sim.lock:
        for subscription in _state(sim)["subscriptions"].values():
            if subscription.endpoint == endpoint:
                subscription.moved_to = url


def received(sim, endpoint: str | None = None) -> list[ReceivedPush]:
    """Pushes delivered (and decrypted), oldest first."""
    with sim.lock:
        pushes = list(_state(sim)["received"])
    return [p for p in pushes if endpoint is None or p.endpoint == endpoint]


@fault_answer("push", extra_kinds=("gone",))
def push_fault(fault: Fault):
    status = fault.status or {"rate_limit": 429, "quota": 429, "gone": 410}.get(fault.kind, 503)
    response = jsonify(error=fault.kind)
    response.status_code = status
    if status == 429 and fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


def _error(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


@sim_route("push", "/send/<token>", methods=("POST",))
def send(token):
    from app.simulator.blueprint import current_simulator

    sim = current_simulator()
    with sim.lock:
        subscription = _state(sim)["subscriptions"].get(token)
    if subscription is None:
        return _error(404, "no such subscription")
    if subscription.gone:
        return _error(410, "the subscription has expired or was unsubscribed")
    if subscription.moved_to:
        return flask_redirect(subscription.moved_to, 307)
    if problem := _vapid_problem():
        return _error(*problem)
    ttl = request.headers.get("TTL", "")
    if not ttl.isdigit():
        return _error(400, "a TTL header is required (RFC 8030 §5.2)")
    if request.headers.get("Content-Encoding", "").lower() != "aes128gcm":
        return _error(415, "only aes128gcm (RFC 8188) is accepted")
    try:
        payload = http_ece.decrypt(
            request.get_data(),
            private_key=subscription.private_key,
            auth_secret=subscription.auth,
            version="aes128gcm",
        )
    except Exception:
        return _error(400, "the payload does not decrypt with this subscription's keys")
    push = ReceivedPush(
        subscription.endpoint, payload, int(ttl), request.headers.get("Urgency"), sim.now()
    )
    with sim.lock:
        _state(sim)["received"].append(push)
    response = jsonify(ok=True)
    response.status_code = 201
    response.headers["Location"] = f"{subscription.endpoint}/messages/{len(received(sim))}"
    return response


def _vapid_problem() -> tuple[int, str] | None:
    """Why the VAPID authorization (RFC 8292 §3) is refused, or None if it is good."""
    scheme, _, params = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "vapid":
        return 401, "VAPID authorization required"
    fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
    try:
        point = _unb64(fields["k"])
        key = ECKey.import_key(
            {"kty": "EC", "crv": "P-256", "x": _b64(point[1:33]), "y": _b64(point[33:65])}
        )
        claims = jwt.decode(fields["t"], key, algorithms=["ES256"]).claims
    except (KeyError, ValueError, JoseError):
        return 401, "the VAPID token does not verify"
    # JWT times are real time: the simulator's clock only moves the simulated world.
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        return 403, "the VAPID token has expired"
    if claims["exp"] > time.time() + 24 * 3600 + 60:
        return 403, "the VAPID token lives longer than 24 hours"
    if claims.get("aud") != f"{request.scheme}://{request.host}":
        return 403, "the VAPID token is for another push service"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return 403, "the VAPID token names no contact (sub)"
    return None
