"""Push opt-in: the service worker at the site root, and the endpoints that store or remove
a browser's Web Push subscription for a signup.

The confirmation a fan sees after signing up carries a signed token naming their signup;
only that page can turn the notification on or off for it. Sending is release day's work
(app/release_day/push.py) with the VAPID keys from app/vapid.py.
"""

import re
from urllib.parse import urlsplit

from flask import current_app, jsonify, request, send_from_directory

from app import user_urls
from app.extensions import csrf, db
from app.fan.blueprint import bp
from app.fan.form_guard import same_origin
from app.fan.recording import remove_push_subscription, store_push_subscription
from app.models import Signup
from app.signed_tokens import SignedToken

KEY = re.compile(r"[A-Za-z0-9_-]+={0,2}")  # base64url, as PushSubscription.toJSON() gives
CONTROL = re.compile(r"[\x00-\x20\x7f]")
TOKEN_MAX_AGE = 7 * 24 * 3600  # the confirmation page may stay open for a while
MAX_KEY = 255
_TOKENS = SignedToken("push", max_age=TOKEN_MAX_AGE, max_length=200)


def push_token(signup_id: int) -> str:
    return _TOKENS.dumps(signup_id)


def _signup_from(body: dict) -> Signup | None:
    signup_id = _TOKENS.loads(body.get("token"))
    signup = db.session.get(Signup, signup_id) if isinstance(signup_id, int) else None
    if signup is None or signup.unsubscribed_at is not None:
        return None
    return signup


def _problem(message: str, status: int):
    return jsonify(error=message), status


def _subscription(body: dict) -> tuple[str, str, str] | None:
    """(endpoint, p256dh, auth) from PushSubscription.toJSON(), when well formed."""
    sub = body.get("subscription")
    if not isinstance(sub, dict):
        return None
    endpoint, keys = sub.get("endpoint"), sub.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict) or len(endpoint) > 2048:
        return None
    if CONTROL.search(endpoint):
        return None
    if urlsplit(endpoint).scheme not in {"https", "http"} or not urlsplit(endpoint).netloc:
        return None
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not all(
        isinstance(k, str) and len(k) <= MAX_KEY and KEY.fullmatch(k) for k in (p256dh, auth)
    ):
        return None
    return endpoint, p256dh, auth


@bp.route("/push/subscription", methods=["POST", "DELETE"])
@csrf.exempt  # the signed signup token and the Origin check protect it
def push_subscription():
    if not same_origin():
        return _problem("This request came from another site.", 403)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _problem("Send the subscription as JSON.", 400)
    signup = _signup_from(body)
    if signup is None:
        return _problem("This page has expired. Reload it to change notifications.", 403)
    if request.method == "DELETE":
        remove_push_subscription(signup)
        return "", 204
    subscription = _subscription(body)
    if subscription is None:
        return _problem("That isn't a push subscription.", 422)
    try:
        user_urls.check(subscription[0], current_app.config)
    except user_urls.UnsafeURL:
        return _problem("That push service can't be used: it must be a public https address.", 422)
    store_push_subscription(signup, *subscription)
    return "", 204


@bp.get("/sw.js")
def service_worker():
    """Served from the root so its scope is the whole site (no Service-Worker-Allowed)."""
    response = send_from_directory(
        current_app.static_folder + "/js", "sw.js", mimetype="text/javascript", max_age=0
    )
    response.cache_control.no_cache = True  # browsers check for a new worker on each visit
    return response
