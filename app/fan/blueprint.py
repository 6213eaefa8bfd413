"""The fan blueprint, and what every fan page allows beyond the default security policy."""

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
