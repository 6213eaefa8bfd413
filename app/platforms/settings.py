"""Where each platform's API lives and Dropday's credentials for it, from the app config.

Every name below is read from the environment by `app.config.load` (unset: None).

Base URLs: an explicit setting wins. Otherwise PLATFORM_MODE=live uses the real host from
platforms.md and PLATFORM_MODE=simulator uses SIMULATOR_URL (default PUBLIC_URL + "/simulator")
plus the platform's simulator path. URLs are resolved when a client is built, not when the
config is loaded, so tests can point SIMULATOR_URL at a live server started after the app.

Credentials: in simulator mode unset ones default to the dev values the simulator accepts;
production with PLATFORM_MODE=live refuses to start without the REQUIRED ones.
"""

import os
from collections.abc import Mapping

# name -> (live default, path below SIMULATOR_URL). The simulator serves each API at
# "/<platform key>" + the real path (a host segment where one platform has several hosts).
URLS: dict[str, tuple[str, str]] = {
    "SPOTIFY_API_URL": ("https://api.spotify.com/v1", "/spotify/v1"),
    "SPOTIFY_ACCOUNTS_URL": ("https://accounts.spotify.com", "/spotify/accounts"),
    "DEEZER_API_URL": ("https://api.deezer.com", "/deezer"),
    "ODESLI_API_URL": ("https://api.song.link/v1-alpha.1", "/odesli/v1-alpha.1"),
    # Apple Music, TIDAL, YouTube: the simulator's Google lives under "/youtube".
    "APPLE_API_URL": ("https://api.music.apple.com/v1", "/apple_music/v1"),
    "APPLE_MUSICKIT_JS_URL": (
        "https://js-cdn.music.apple.com/musickit/v3/musickit.js",
        "/apple_music/musickit/v3/musickit.js",
    ),
    "TIDAL_API_URL": ("https://openapi.tidal.com/v2", "/tidal/v2"),
    "TIDAL_AUTHORIZE_URL": ("https://login.tidal.com/authorize", "/tidal/login/authorize"),
    "TIDAL_TOKEN_URL": ("https://auth.tidal.com/v1/oauth2/token", "/tidal/auth/v1/oauth2/token"),
    "GOOGLE_AUTHORIZE_URL": (
        "https://accounts.google.com/o/oauth2/v2/auth",
        "/youtube/accounts/o/oauth2/v2/auth",
    ),
    "GOOGLE_TOKEN_URL": ("https://oauth2.googleapis.com/token", "/youtube/oauth2/token"),
    "YOUTUBE_API_URL": ("https://www.googleapis.com/youtube/v3", "/youtube/youtube/v3"),
}

# Simulated app credentials: what the simulator accepts, and what Dropday sends to it.
SIMULATOR_CREDENTIALS: dict[str, str] = {
    "SPOTIFY_CLIENT_ID": "dropday-sim-spotify",
    "SPOTIFY_CLIENT_SECRET": "dropday-sim-spotify-secret",
    "APPLE_TEAM_ID": "DROPDAYSIM",  # Apple's ids are 10 characters
    "APPLE_KEY_ID": "SIMKEY0001",
    "GOOGLE_CLIENT_ID": "dropday-sim.apps.googleusercontent.com",
    "GOOGLE_CLIENT_SECRET": "dropday-sim-google-secret",
    "YOUTUBE_API_KEY": "dropday-sim-youtube-key",
    "TIDAL_CLIENT_ID": "dropday-sim-tidal",
    "TIDAL_CLIENT_SECRET": "dropday-sim-tidal-secret",
}

# platform key (as the simulator names it) -> (client id setting, client secret setting)
CLIENT_CREDENTIALS: dict[str, tuple[str, str]] = {
    "spotify": ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"),
    "youtube": ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
    "tidal": ("TIDAL_CLIENT_ID", "TIDAL_CLIENT_SECRET"),
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
    "SIMULATOR_URL": (None, str),
    "SIMULATOR_SLOW_SECONDS": (15.0, float),  # how long a "slow" fault sleeps
    "SIMULATOR_SEED": (0, int),  # seeds the simulator's fault RNG
    # Platforms this installation does without (no app registered there): artists can't
    # pick them and their credentials are not required.
    "DISABLED_PLATFORMS": (frozenset(), disabled_platforms),
}

CONNECT_TIMEOUT = 3.05


def from_env(env: Mapping[str, str]) -> dict:
    """The platform settings as the environment gives them (unset URLs stay None)."""
    names = [*URLS, *SIMULATOR_CREDENTIALS, *REQUIRED]
    cfg = {name: env.get(name) or None for name in dict.fromkeys(names)}
    for name, (default, parse) in OPTIONS.items():
        value = env.get(name)
        cfg[name] = parse(value) if value else default
    return cfg


def apply_mode_defaults(cfg: dict) -> None:
    """In simulator mode, unset credentials become the ones the simulator accepts."""
    if cfg.get("PLATFORM_MODE") == "simulator":
        for name, value in SIMULATOR_CREDENTIALS.items():
            cfg[name] = cfg.get(name) or value
        cfg["APPLE_PRIVATE_KEY"] = cfg.get("APPLE_PRIVATE_KEY") or simulator_apple_key()


def simulator_apple_key() -> str:
    """An EC P-256 key standing in for Dropday's MusicKit key in simulator mode.

    Generated once into the instance folder, so the web process (where the simulator checks
    developer tokens) and the workers (which sign them) agree on it across restarts.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from app.config import INSTANCE

    path = INSTANCE / "simulator-apple-key.pem"
    if not path.exists():
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        INSTANCE.mkdir(parents=True, exist_ok=True)
        # Write then rename: two processes starting at once must not read half a key.
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pem)
        partial.chmod(0o600)
        partial.replace(path)
    return path.read_text()


def missing(cfg: Mapping) -> list[str]:
    """Settings live mode needs for the platforms that are on but unset, each with a hint."""
    off = set(cfg.get("DISABLED_PLATFORMS") or ())
    return [
        f"{name} ({hint}; or DISABLED_PLATFORMS={','.join(platforms)})"
        for name, (platforms, hint) in REQUIRED.items()
        if not cfg.get(name) and not set(platforms) <= off
    ]


def simulator_url(cfg: Mapping) -> str:
    return (cfg.get("SIMULATOR_URL") or cfg["PUBLIC_URL"] + "/simulator").rstrip("/")


def url(cfg: Mapping, name: str) -> str:
    """A platform base URL, without a trailing slash."""
    if cfg.get(name):
        return cfg[name].rstrip("/")
    live, simulated = URLS[name]
    if cfg.get("PLATFORM_MODE") == "simulator":
        return simulator_url(cfg) + simulated
    return live


def timeout(cfg: Mapping) -> tuple[float, float]:
    """(connect, read) seconds for requests."""
    read = float(cfg.get("PLATFORM_TIMEOUT") or 10.0)
    return min(CONNECT_TIMEOUT, read), read


def simulated_clients(cfg: Mapping) -> dict[str, dict[str, str]]:
    """platform -> {client id: secret} for the simulator to accept (Odesli: {key: ""})."""
    clients = {}
    for platform, (id_name, secret_name) in CLIENT_CREDENTIALS.items():
        if cfg.get(id_name):
            clients[platform] = {cfg[id_name]: cfg.get(secret_name) or ""}
    if cfg.get("ODESLI_API_KEY"):
        clients["odesli"] = {cfg["ODESLI_API_KEY"]: ""}
    return clients
