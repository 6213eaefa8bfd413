"""Streaming platforms: the seed's matrix (registry) and one client per platform.

`client_for(key)` builds a platform's client from the app config, once per app. Each client
class offers `from_config(config) -> client` (config: the app's config mapping) and keyword
constructor arguments for tests. Platforms found only through Odesli (Amazon Music,
SoundCloud) have no client of their own: ask `client_for("odesli")`.
"""

import threading

from flask import Flask, current_app

from app.platforms.apple_music import AppleMusicClient
from app.platforms.deezer import DeezerClient
from app.platforms.odesli import OdesliClient
from app.platforms.spotify import SpotifyClient
from app.platforms.tidal import TidalClient
from app.platforms.youtube_music import YouTubeClient, YouTubeMusicClient

CLIENTS: dict[str, type] = {
    "spotify": SpotifyClient,
    "deezer": DeezerClient,
    "odesli": OdesliClient,
    "apple_music": AppleMusicClient,
    "youtube_music": YouTubeMusicClient,
    "youtube": YouTubeClient,
    "tidal": TidalClient,
}

_lock = threading.Lock()


def client_for(key: str, app: Flask | None = None):
    """The app's client for platform `key` (a registry key, or "odesli"), reused across calls
    so connections and app tokens are reused too."""
    app = app or current_app
    with _lock:
        clients = app.extensions.setdefault("platform_clients", {})
        if key not in clients:
            clients[key] = CLIENTS[key].from_config(app.config)
        return clients[key]
