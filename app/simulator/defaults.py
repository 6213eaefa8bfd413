"""Simulator mode's settings: where each simulated API lives, the app credentials the
simulator accepts, Dropday's registered OAuth callbacks, and a generated Apple key.

`app.config.load` calls `apply` when PLATFORM_MODE=simulator: unset platform settings become
these, so `app/platforms/` reads plain settings and never hears of the simulator. This module
imports nothing of Dropday's platform code.
"""

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

# Platform URL setting -> path below SIMULATOR_URL. The simulator serves each API at
# "/<platform key>" + the real path (a host segment where one platform has several hosts;
# its Google lives under "/youtube").
PATHS: dict[str, str] = {
    "SPOTIFY_API_URL": "/spotify/v1",
    "SPOTIFY_ACCOUNTS_URL": "/spotify/accounts",
    "DEEZER_API_URL": "/deezer",
    "ODESLI_API_URL": "/odesli/v1-alpha.1",
    "APPLE_API_URL": "/apple_music/v1",
    "APPLE_MUSICKIT_JS_URL": "/apple_music/musickit/v3/musickit.js",
    "TIDAL_API_URL": "/tidal/v2",
    "TIDAL_AUTHORIZE_URL": "/tidal/login/authorize",
    "TIDAL_TOKEN_URL": "/tidal/auth/v1/oauth2/token",
    "GOOGLE_AUTHORIZE_URL": "/youtube/accounts/o/oauth2/v2/auth",
    "GOOGLE_TOKEN_URL": "/youtube/oauth2/token",
    "GOOGLE_REVOKE_URL": "/youtube/oauth2/revoke",
    "YOUTUBE_API_URL": "/youtube/youtube/v3",
}

# Simulated app credentials: what the simulator accepts, and what Dropday sends to it.
CREDENTIALS: dict[str, str] = {
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

# Simulated platform -> (client id setting, client secret setting) of Dropday's app there.
CLIENTS: dict[str, tuple[str, str]] = {
    "spotify": ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"),
    "youtube": ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"),
    "tidal": ("TIDAL_CLIENT_ID", "TIDAL_CLIENT_SECRET"),
}

# Simulated platform -> Dropday's fan-side OAuth callback path, registered with PUBLIC_URL.
CALLBACKS: dict[str, str] = {
    "tidal": "/connect/tidal/callback",
    "youtube": "/connect/youtube_music/callback",
}

# The simulator's own settings: name -> (default, parser).
OPTIONS: dict[str, tuple[object, type]] = {
    "SIMULATOR_URL": (None, str),  # default PUBLIC_URL + "/simulator"
    "SIMULATOR_SLOW_SECONDS": (15.0, float),  # how long a "slow" fault sleeps
    "SIMULATOR_SEED": (0, int),  # seeds the simulator's fault RNG
}


def apply(cfg: MutableMapping, env: Mapping[str, str], instance: Path) -> None:
    """Fill in simulator mode's settings where neither the environment nor the caller set
    them: the simulator's options, credentials, the Apple key and every platform URL."""
    for name, (default, parse) in OPTIONS.items():
        if cfg.get(name) is None:
            cfg[name] = parse(env[name]) if env.get(name) else default
    for name, value in CREDENTIALS.items():
        cfg[name] = cfg.get(name) or value
    cfg["APPLE_PRIVATE_KEY"] = cfg.get("APPLE_PRIVATE_KEY") or apple_key(instance)
    base = (cfg.get("SIMULATOR_URL") or cfg["PUBLIC_URL"] + "/simulator").rstrip("/")
    for name, path in PATHS.items():
        cfg[name] = cfg.get(name) or base + path


def point_at(cfg: MutableMapping, simulator_url: str) -> None:
    """Send every platform client to the simulator at `simulator_url` (tests start their
    server after the app, so they move the URLs there once it listens)."""
    cfg["SIMULATOR_URL"] = simulator_url.rstrip("/")
    for name, path in PATHS.items():
        cfg[name] = cfg["SIMULATOR_URL"] + path


def clients(cfg: Mapping) -> dict[str, dict[str, str]]:
    """platform -> {client id: secret} for the simulator to accept (Odesli: {key: ""})."""
    accepted = {}
    for platform, (id_name, secret_name) in CLIENTS.items():
        if cfg.get(id_name):
            accepted[platform] = {cfg[id_name]: cfg.get(secret_name) or ""}
    if cfg.get("ODESLI_API_KEY"):
        accepted["odesli"] = {cfg["ODESLI_API_KEY"]: ""}
    return accepted


def redirect_uris(cfg: Mapping) -> dict[str, set[str]]:
    """platform -> the redirect URIs registered for Dropday's app: its callbacks."""
    public = cfg["PUBLIC_URL"].rstrip("/")
    return {platform: {public + path} for platform, path in CALLBACKS.items()}


def apple_key(instance: Path) -> str:
    """An EC P-256 key standing in for Dropday's MusicKit key in simulator mode.

    Generated once into the instance folder, so the web process (where the simulator checks
    developer tokens) and the workers (which sign them) agree on it across restarts.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = instance / "simulator-apple-key.pem"
    if not path.exists():
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        instance.mkdir(parents=True, exist_ok=True)
        # Write then rename: two processes starting at once must not read half a key.
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pem)
        partial.chmod(0o600)
        partial.replace(path)
    return path.read_text()
