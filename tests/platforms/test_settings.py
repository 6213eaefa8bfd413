"""Platform settings: real hosts live, the simulator in simulator mode, credentials required
in production."""

import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app import vapid
from app.config import ConfigError, load
from app.platforms import settings
from app.simulator import defaults

PRODUCTION = {
    "DROPDAY_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "TOKEN_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgresql://db/dropday",
    "REDIS_URL": "redis://redis:6379/0",
    "VAPID_PRIVATE_KEY": vapid.generate_private_key(),
    "VAPID_SUBJECT": "mailto:ops@example.com",
}


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setattr("app.config.INSTANCE", tmp_path)
    names = [*PRODUCTION, "PLATFORM_MODE", "FLASK_DEBUG", "PUBLIC_URL", *settings.REQUIRED]
    for name in [*names, *settings.URLS, *defaults.OPTIONS]:
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_production_refuses_to_start_without_spotify_credentials(env):
    with pytest.raises(ConfigError, match=r"SPOTIFY_CLIENT_ID .*SPOTIFY_CLIENT_SECRET"):
        load()


def test_production_with_credentials_talks_to_the_real_hosts(env):
    for name in settings.REQUIRED:
        env.setenv(name, "set")
    cfg = load()
    assert cfg["PLATFORM_MODE"] == "live"
    assert settings.url(cfg, "SPOTIFY_API_URL") == "https://api.spotify.com/v1"
    assert settings.url(cfg, "SPOTIFY_ACCOUNTS_URL") == "https://accounts.spotify.com"
    assert settings.url(cfg, "DEEZER_API_URL") == "https://api.deezer.com"
    assert settings.url(cfg, "ODESLI_API_URL") == "https://api.song.link/v1-alpha.1"
    assert settings.timeout(cfg) == (3.05, 10.0)


def test_simulator_mode_points_at_the_simulator_with_its_dev_credentials(env):
    env.setenv("DROPDAY_ENV", "development")  # production never runs the simulator
    env.setenv("PLATFORM_MODE", "simulator")
    env.setenv("PUBLIC_URL", "http://127.0.0.1:5000")
    env.setenv("PLATFORM_TIMEOUT", "2.5")
    cfg = load()
    assert settings.url(cfg, "SPOTIFY_API_URL") == "http://127.0.0.1:5000/simulator/spotify/v1"
    assert settings.url(cfg, "DEEZER_API_URL") == "http://127.0.0.1:5000/simulator/deezer"
    assert cfg["SPOTIFY_CLIENT_ID"] == defaults.CREDENTIALS["SPOTIFY_CLIENT_ID"]
    assert defaults.clients(cfg)["spotify"] == {
        cfg["SPOTIFY_CLIENT_ID"]: cfg["SPOTIFY_CLIENT_SECRET"]
    }
    assert defaults.redirect_uris(cfg) == {
        "tidal": {"http://127.0.0.1:5000/connect/tidal/callback"},
        "youtube": {"http://127.0.0.1:5000/connect/youtube_music/callback"},
    }
    assert cfg["APPLE_PRIVATE_KEY"].startswith("-----BEGIN PRIVATE KEY-----")
    assert settings.timeout(cfg) == (2.5, 2.5)


def test_live_mode_gets_none_of_the_simulator_s_settings(env):
    env.setenv("DROPDAY_ENV", "development")
    env.setenv("PLATFORM_MODE", "live")
    cfg = load()
    assert cfg["SPOTIFY_CLIENT_ID"] is None and cfg["APPLE_PRIVATE_KEY"] is None
    assert settings.url(cfg, "TIDAL_API_URL") == "https://openapi.tidal.com/v2"
    assert "SIMULATOR_URL" not in cfg


def test_an_explicit_url_wins_in_any_mode(env):
    env.setenv("DROPDAY_ENV", "development")
    env.setenv("PLATFORM_MODE", "simulator")
    env.setenv("DEEZER_API_URL", "https://deezer-proxy.example/")
    env.setenv("SIMULATOR_URL", "http://sim.local/simulator")
    cfg = load()
    assert settings.url(cfg, "DEEZER_API_URL") == "https://deezer-proxy.example"
    assert settings.url(cfg, "ODESLI_API_URL") == "http://sim.local/simulator/odesli/v1-alpha.1"


def test_the_platform_layer_knows_nothing_of_the_simulator():
    """Simulator mode's defaults are the simulator's to write; app/platforms reads settings."""
    sources = Path(settings.__file__).parent.glob("*.py")
    assert [p.name for p in sources if "app.simulator" in p.read_text()] == []
    simulator = Path(defaults.__file__).parent.glob("*.py")
    assert [p.name for p in simulator if "app.platforms" in p.read_text()] == []
