"""Settings of the direct-save platforms (Apple Music, YouTube Music, TIDAL)."""

import secrets

import pytest
from cryptography.fernet import Fernet
from joserfc.jwk import ECKey

from app import vapid
from app.config import ConfigError, load
from app.platforms import settings

LIVE_URLS = {
    "APPLE_API_URL": "https://api.music.apple.com/v1",
    "APPLE_MUSICKIT_JS_URL": "https://js-cdn.music.apple.com/musickit/v3/musickit.js",
    "GOOGLE_AUTHORIZE_URL": "https://accounts.google.com/o/oauth2/v2/auth",
    "GOOGLE_TOKEN_URL": "https://oauth2.googleapis.com/token",
    "YOUTUBE_API_URL": "https://www.googleapis.com/youtube/v3",
    "TIDAL_API_URL": "https://openapi.tidal.com/v2",
    "TIDAL_AUTHORIZE_URL": "https://login.tidal.com/authorize",
    "TIDAL_TOKEN_URL": "https://auth.tidal.com/v1/oauth2/token",
}


@pytest.fixture
def local(monkeypatch, tmp_path):
    for name in ("DROPDAY_ENV", "PLATFORM_MODE", "APPLE_PRIVATE_KEY", "SIMULATOR_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("app.config.INSTANCE", tmp_path)
    monkeypatch.setenv("DROPDAY_ENV", "development")
    return tmp_path


@pytest.mark.parametrize(("name", "live"), LIVE_URLS.items())
def test_live_mode_talks_to_the_real_hosts(name, live):
    assert settings.url({"PLATFORM_MODE": "live", "PUBLIC_URL": "https://x"}, name) == live


def test_simulator_mode_points_every_url_at_the_simulator(local):
    cfg = load()
    for name in LIVE_URLS:
        assert settings.url(cfg, name).startswith(cfg["PUBLIC_URL"] + "/simulator/")


def test_simulator_mode_has_working_credentials_and_keeps_one_apple_key(local):
    first, second = load(), load()
    for name in (
        "APPLE_TEAM_ID",
        "APPLE_KEY_ID",
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
        "YOUTUBE_API_KEY",
        "TIDAL_CLIENT_ID",
        "TIDAL_CLIENT_SECRET",
    ):
        assert first[name]
    key = ECKey.import_key(first["APPLE_PRIVATE_KEY"])
    assert key.is_private and key.curve_name == "P-256"
    assert second["APPLE_PRIVATE_KEY"] == first["APPLE_PRIVATE_KEY"]
    assert (local / "simulator-apple-key.pem").exists()
    assert (first["APPLE_STOREFRONT"], first["TIDAL_COUNTRY"]) == ("us", "US")


def test_live_production_names_the_missing_platform_credentials(monkeypatch):
    for name, value in {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "TOKEN_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": "sqlite://",
        "REDIS_URL": "redis://x",
        "VAPID_PRIVATE_KEY": vapid.generate_private_key(),
        "VAPID_SUBJECT": "mailto:ops@example.com",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DROPDAY_ENV", raising=False)
    monkeypatch.delenv("PLATFORM_MODE", raising=False)
    with pytest.raises(ConfigError, match=r"APPLE_PRIVATE_KEY.*TIDAL_CLIENT_SECRET"):
        load()
