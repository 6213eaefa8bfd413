"""The fans' side: the pre-save page at /<slug>, email signup, direct-save connections,
push opt-in, unsubscribe. Public, session-free pages with their own base template."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app

from app.platforms import settings
from app.security_headers import allow

bp = Blueprint("fan", __name__)


@bp.before_request
def _allow_musickit() -> None:
    """In live mode the Apple Music button loads MusicKit JS from Apple's CDN, and MusicKit
    talks to Apple's API: the only other origins a fan page ever uses. (In simulator mode
    the stand-in is served by this site, which the policy already allows.)"""
    config = current_app.config
    if config["PLATFORM_MODE"] != "live":
        return
    allow("script-src", _origin(settings.url(config, "APPLE_MUSICKIT_JS_URL")))
    allow("connect-src", _origin(settings.url(config, "APPLE_API_URL")))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


from app.fan import (  # noqa: E402,F401
    calendar,
    connect,
    language_links,
    page,
    push,
    routing,
    smart_link,
    unsubscribe,
)
