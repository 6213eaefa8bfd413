"""Which client serves each platform, and the app's one client per platform.

`client_for(key)` builds a platform's client from the app config once per app, so
connections and app tokens are reused. Platforms found only through Odesli (Amazon Music,
SoundCloud) have no client of their own: ask `client_for("odesli")`.
"""

import threading

from flask import Flask, current_app

from app.platforms.apple_music import AppleMusicClient
from app.platforms.base import PlatformClient
from app.platforms.deezer import DeezerClient
from app.platforms.odesli import OdesliClient
from app.platforms.spotify import SpotifyClient
from app.platforms.tidal import TidalClient
from app.platforms.youtube_music import YouTubeClient, YouTubeMusicClient

# Odesli finds links for other platforms (`links`, `find_links`) rather than a release itself.
CLIENTS: dict[str, type[PlatformClient] | type[OdesliClient]] = {
    "spotify": SpotifyClient,
    "deezer": DeezerClient,
    "odesli": OdesliClient,
    "apple_music": AppleMusicClient,
    "youtube_music": YouTubeMusicClient,
    "youtube": YouTubeClient,
    "tidal": TidalClient,
}

_lock = threading.Lock()


def client_for(key: str, app: Flask | None = None) -> PlatformClient | OdesliClient:
    """The app's client for platform `key` (a registry key, or "odesli")."""
    app = app or current_app
    with _lock:
        clients = app.extensions.setdefault("platform_clients", {})
        if key not in clients:
            clients[key] = CLIENTS[key].from_config(app.config)
        return clients[key]
