"""How the fan page's forms are protected without a session, so the page stays cacheable.

- A signed per-campaign form token (no visitor in it): proves the post came from a page this
  server rendered for this campaign, recently. It is the same for every visitor, so a shared
  cache may keep the page; it expires after FORM_TOKEN_MAX_AGE so a scraped token goes stale.
- An Origin check (Referer when a browser sends no Origin): a browser posting from another
  site says so, and is refused. Clients that send neither are not browsers a page can abuse.
- One rate-limit budget per client address for every way of signing up.
"""

from urllib.parse import urlsplit

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import limiter

FORM_TOKEN_MAX_AGE = 2 * 24 * 3600  # long beside the page's cache lifetime: a tab left open
_SALT = "dropday.fan-form"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def form_token(campaign_id: int) -> str:
    return _serializer().dumps(campaign_id)


def form_token_ok(token: str | None, campaign_id: int) -> bool:
    if not token or len(token) > 200:
        return False
    try:
        return _serializer().loads(token, max_age=FORM_TOKEN_MAX_AGE) == campaign_id
    except BadSignature:
        return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin() -> bool:
    """The request came from one of our own pages (or from no browser page at all)."""
    ours = {_origin(current_app.config["PUBLIC_URL"]), _origin(request.host_url)}
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return origin.lower() in ours
    referer = request.headers.get("Referer")
    if referer:
        return _origin(referer) in ours
    return origin != "null"


def signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


# Shared by the email form and the connect flow's email page.
signup_rate_limit = limiter.shared_limit(signup_limit, scope="fan-signup", methods=["POST"])
