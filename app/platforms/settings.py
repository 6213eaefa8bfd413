"""Where each platform's API lives and Dropday's credentials for it, from the app config.

Every name below is read from the environment by `app.config.load` (unset: None).

Base URLs: an explicit setting wins, else the real host from platforms.md. (In simulator
mode the simulator fills in its own URLs and credentials first: see app/simulator/defaults.)
Production with PLATFORM_MODE=live refuses to start without the REQUIRED credentials.
"""

from collections.abc import Mapping

# name -> the real API's base URL.
URLS: dict[str, str] = {
    "SPOTIFY_API_URL": "https://api.spotify.com/v1",
    "SPOTIFY_ACCOUNTS_URL": "https://accounts.spotify.com",
    "DEEZER_API_URL": "https://api.deezer.com",
    "ODESLI_API_URL": "https://api.song.link/v1-alpha.1",
    "APPLE_API_URL": "https://api.music.apple.com/v1",
    "APPLE_MUSICKIT_JS_URL": "https://js-cdn.music.apple.com/musickit/v3/musickit.js",
    "TIDAL_API_URL": "https://openapi.tidal.com/v2",
    "TIDAL_AUTHORIZE_URL": "https://login.tidal.com/authorize",
    "TIDAL_TOKEN_URL": "https://auth.tidal.com/v1/oauth2/token",
    "GOOGLE_AUTHORIZE_URL": "https://accounts.google.com/o/oauth2/v2/auth",
    "GOOGLE_TOKEN_URL": "https://oauth2.googleapis.com/token",
    "GOOGLE_REVOKE_URL": "https://oauth2.googleapis.com/revoke",
    "YOUTUBE_API_URL": "https://www.googleapis.com/youtube/v3",
}

# What production in live mode cannot start without, the platforms each one serves, and where
# to get it. A platform switched off with DISABLED_PLATFORMS needs none of its credentials.
REQUIRED: dict[str, tuple[tuple[str, ...], str]] = {
    "SPOTIFY_CLIENT_ID": (
        ("spotify",),
        "a Spotify app's client id (developer.spotify.com/dashboard)",
    ),
    "SPOTIFY_CLIENT_SECRET": (("spotify",), "that Spotify app's client secret"),
    "APPLE_TEAM_ID": (
        ("apple_music",),
        "your Apple Developer team id (developer.apple.com/account)",
    ),
    "APPLE_KEY_ID": (("apple_music",), "the 10-character id of a MusicKit private key"),
    "APPLE_PRIVATE_KEY": (("apple_music",), "that MusicKit key's PEM text (the .p8 file)"),
    "GOOGLE_CLIENT_ID": (
        ("youtube_music",),
        "a Google OAuth web client id (console.cloud.google.com)",
    ),
    "GOOGLE_CLIENT_SECRET": (("youtube_music",), "that Google OAuth client's secret"),
    "YOUTUBE_API_KEY": (
        ("youtube_music", "youtube"),
        "a Google API key with the YouTube Data API v3 enabled",
    ),
    "TIDAL_CLIENT_ID": (("tidal",), "a TIDAL app's client id (developer.tidal.com)"),
    "TIDAL_CLIENT_SECRET": (("tidal",), "that TIDAL app's client secret"),
}


def disabled_platforms(value: str) -> frozenset[str]:
    """DISABLED_PLATFORMS: registry keys, comma-separated."""
    return frozenset(key.strip() for key in value.split(",") if key.strip())


# Other settings: name -> (default, parser).
OPTIONS: dict[str, tuple[object, type]] = {
    "SPOTIFY_MARKET": ("US", str),  # the market searches and lookups run in
    "ODESLI_API_KEY": (None, str),  # optional: 60 requests/min instead of 10
    "ODESLI_USER_COUNTRY": ("US", str),
    "APPLE_STOREFRONT": ("us", str),  # the Apple Music storefront catalog lookups run in
    "TIDAL_COUNTRY": ("US", str),  # the countryCode of TIDAL catalog lookups
    "PLATFORM_TIMEOUT": (10.0, float),  # seconds to wait for a platform's answer
    # Platforms this installation does without (no app registered there): artists can't
    # pick them and their credentials are not required.
    "DISABLED_PLATFORMS": (frozenset(), disabled_platforms),
}

CONNECT_TIMEOUT = 3.05


def from_env(env: Mapping[str, str]) -> dict:
    """The platform settings as the environment gives them (unset URLs stay None)."""
    names = [*URLS, *REQUIRED]
    cfg = {name: env.get(name) or None for name in dict.fromkeys(names)}
    for name, (default, parse) in OPTIONS.items():
        value = env.get(name)
        cfg[name] = parse(value) if value else default
    return cfg


def missing(cfg: Mapping) -> list[str]:
    """Settings live mode needs for the platforms that are on but unset, each with a hint."""
    off = set(cfg.get("DISABLED_PLATFORMS") or ())
    return [
        f"{name} ({hint}; or DISABLED_PLATFORMS={','.join(platforms)})"
        for name, (platforms, hint) in REQUIRED.items()
        if not cfg.get(name) and not set(platforms) <= off
    ]


def url(cfg: Mapping, name: str) -> str:
    """A platform base URL, without a trailing slash."""
    return (cfg.get(name) or URLS[name]).rstrip("/")


def timeout(cfg: Mapping) -> tuple[float, float]:
    """(connect, read) seconds for requests."""
    read = float(cfg.get("PLATFORM_TIMEOUT") or 10.0)
    return min(CONNECT_TIMEOUT, read), read
