"""Platform settings: real hosts live, the simulator in simulator mode, credentials required
in production."""

import pytest

from app import vapid
from app.config import ConfigError, load
from app.platforms import settings

PRODUCTION = {
    "DROPDAY_ENV": "production",
    "SECRET_KEY": "s",
    "TOKEN_KEYS": "k",
    "DATABASE_URL": "postgresql://db/dropday",
    "REDIS_URL": "redis://redis:6379/0",
    "VAPID_PRIVATE_KEY": vapid.generate_private_key(),
    "VAPID_SUBJECT": "mailto:ops@example.com",
}


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setattr("app.config.INSTANCE", tmp_path)
    for name in [*PRODUCTION, "PLATFORM_MODE", "FLASK_DEBUG", *settings.REQUIRED]:
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
    assert cfg["SPOTIFY_CLIENT_ID"] == settings.SIMULATOR_CREDENTIALS["SPOTIFY_CLIENT_ID"]
    assert settings.simulated_clients(cfg)["spotify"] == {
        cfg["SPOTIFY_CLIENT_ID"]: cfg["SPOTIFY_CLIENT_SECRET"]
    }
    assert settings.timeout(cfg) == (2.5, 2.5)


def test_an_explicit_url_wins_in_any_mode(env):
    env.setenv("DROPDAY_ENV", "development")
    env.setenv("PLATFORM_MODE", "simulator")
    env.setenv("DEEZER_API_URL", "https://deezer-proxy.example/")
    env.setenv("SIMULATOR_URL", "http://sim.local/simulator")
    cfg = load()
    assert settings.url(cfg, "DEEZER_API_URL") == "https://deezer-proxy.example"
    assert settings.url(cfg, "ODESLI_API_URL") == "http://sim.local/simulator/odesli/v1-alpha.1"
