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

from app.extensions import limiter
from app.signed_tokens import SignedToken

FORM_TOKEN_MAX_AGE = 2 * 24 * 3600  # long beside the page's cache lifetime: a tab left open
_TOKENS = SignedToken("fan-form", max_age=FORM_TOKEN_MAX_AGE, max_length=200)


def form_token(campaign_id: int) -> str:
    return _TOKENS.dumps(campaign_id)


def form_token_ok(token: str | None, campaign_id: int) -> bool:
    return _TOKENS.loads(token) == campaign_id


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
