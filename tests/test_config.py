"""Configuration: runs locally with nothing set, refuses to run in production half-configured."""

import secrets

import pytest
from cryptography.fernet import Fernet

from app import vapid
from app.config import ConfigError, load

VAPID_KEY = vapid.generate_private_key()


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "TOKEN_KEYS",
        "DATABASE_URL",
        "REDIS_URL",
        "DROPDAY_ENV",
        "FLASK_DEBUG",
        "PLATFORM_MODE",
        "VAPID_PRIVATE_KEY",
        "VAPID_PUBLIC_KEY",
        "VAPID_SUBJECT",
        "MEDIA_STORAGE",
        "MEDIA_S3_BUCKET",
        "UPLOAD_FOLDER",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_its_secrets(clean_env):
    with pytest.raises(
        ConfigError,
        match="SECRET_KEY, TOKEN_KEYS, DATABASE_URL, REDIS_URL, VAPID_PRIVATE_KEY, VAPID_SUBJECT",
    ):
        load()


STRONG_SECRET_KEY = "pN3q-Xr8vJt2LwZc5YhBd9Kf7GmQs4TuVa6RyE1oHiWkAeSxC0lDnOpMbFgIjUzP"


def _production_secrets(env):
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.setenv(name, "set")
    env.setenv("SECRET_KEY", STRONG_SECRET_KEY)
    env.setenv("TOKEN_KEYS", Fernet.generate_key().decode())
    env.setenv("VAPID_PRIVATE_KEY", VAPID_KEY)
    env.setenv("VAPID_SUBJECT", "mailto:ops@example.com")


def test_a_local_run_needs_no_settings_and_keeps_its_generated_secrets(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    first, second = load(), load()
    assert first["SECRET_KEY"] and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert first["DEBUG"] is True and first["SESSION_COOKIE_SECURE"] is False
    assert first["PLATFORM_MODE"] == "simulator"


def test_a_paas_postgres_url_is_accepted(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    clean_env.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/dropday")
    assert load()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/dropday"


def test_an_unknown_environment_name_is_refused(clean_env):
    clean_env.setenv("DROPDAY_ENV", "staging")
    with pytest.raises(ConfigError, match="DROPDAY_ENV"):
        load()


def test_production_never_mounts_the_simulator(clean_env):
    _production_secrets(clean_env)
    clean_env.setenv("PLATFORM_MODE", "simulator")
    with pytest.raises(ConfigError, match="PLATFORM_MODE=live"):
        load()


def _live_platforms(env):
    _production_secrets(env)
    env.setenv("DISABLED_PLATFORMS", "spotify, apple_music, tidal, youtube_music, youtube")


def test_production_keeps_artwork_in_the_database_unless_given_a_folder_or_a_bucket(clean_env):
    _live_platforms(clean_env)
    assert load()["MEDIA_STORAGE"] == "database"
    clean_env.setenv("UPLOAD_FOLDER", "/mnt/volume/uploads")
    assert load()["MEDIA_STORAGE"] == "folder"
    clean_env.setenv("MEDIA_S3_BUCKET", "artwork")
    assert load()["MEDIA_STORAGE"] == "s3"
    clean_env.setenv("MEDIA_STORAGE", "database")
    assert load()["MEDIA_STORAGE"] == "database"


def test_a_local_run_keeps_artwork_in_its_instance_folder(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    cfg = load()
    assert cfg["MEDIA_STORAGE"] == "folder" and cfg["UPLOAD_FOLDER"] == str(tmp_path / "uploads")


def test_an_unknown_media_storage_or_a_bucketless_s3_is_refused(clean_env):
    _live_platforms(clean_env)
    clean_env.setenv("MEDIA_STORAGE", "ftp")
    with pytest.raises(ConfigError, match="MEDIA_STORAGE must be one of: folder, database, s3"):
        load()
    clean_env.setenv("MEDIA_STORAGE", "s3")
    with pytest.raises(ConfigError, match="MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET"):
        load()


def test_production_names_the_platform_credentials_it_lacks(clean_env):
    _production_secrets(clean_env)
    with pytest.raises(ConfigError, match=r"SPOTIFY_CLIENT_ID .*TIDAL_CLIENT_SECRET"):
        load()


def test_an_installation_without_some_platforms_needs_only_the_others_credentials(clean_env):
    _production_secrets(clean_env)
    for name in (
        "SPOTIFY_CLIENT_ID",
        "SPOTIFY_CLIENT_SECRET",
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
        "YOUTUBE_API_KEY",
    ):
        clean_env.setenv(name, "set")
    clean_env.setenv("DISABLED_PLATFORMS", "apple_music, tidal")
    cfg = load()
    assert cfg["DISABLED_PLATFORMS"] == {"apple_music", "tidal"}
    assert cfg["PLATFORM_MODE"] == "live"


def test_a_missing_credential_names_the_switch_that_does_without_it(clean_env):
    _production_secrets(clean_env)
    with pytest.raises(ConfigError, match=r"DISABLED_PLATFORMS=apple_music"):
        load()


def test_an_unknown_platform_cannot_be_switched_off(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    clean_env.setenv("DISABLED_PLATFORMS", "myspace")
    with pytest.raises(ConfigError, match="unknown platforms: myspace"):
        load()


def test_a_local_run_generates_vapid_keys_once(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    first, second = load(), load()
    assert first["VAPID_PRIVATE_KEY"] == second["VAPID_PRIVATE_KEY"]
    # The browsers' application server key: an uncompressed P-256 point, base64url.
    assert len(vapid._b64decode(first["VAPID_PUBLIC_KEY"])) == 65
    assert first["VAPID_SUBJECT"].startswith("mailto:")


def test_a_vapid_public_key_that_belongs_to_another_private_key_is_refused(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    clean_env.setenv("VAPID_PRIVATE_KEY", VAPID_KEY)
    clean_env.setenv("VAPID_PUBLIC_KEY", vapid.public_key(vapid.generate_private_key()))
    with pytest.raises(ConfigError, match="does not belong"):
        load()


def test_a_vapid_key_in_pem_form_is_accepted(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    pem = vapid.load(VAPID_KEY).private_pem().decode()
    clean_env.setenv("VAPID_PRIVATE_KEY", pem)
    assert load()["VAPID_PUBLIC_KEY"] == vapid.public_key(VAPID_KEY)


def test_a_garbled_vapid_key_is_refused_with_its_name(clean_env, tmp_path):
    clean_env.setattr("app.config.INSTANCE", tmp_path)
    clean_env.setenv("DROPDAY_ENV", "development")
    clean_env.setenv("VAPID_PRIVATE_KEY", "not a key")
    with pytest.raises(ConfigError, match=r"VAPID_PRIVATE_KEY.*generate_private_key"):
        load()


def test_the_missing_settings_error_does_not_offer_development_mode_as_a_way_out(clean_env):
    with pytest.raises(ConfigError) as refused:
        load()
    assert "for local runs on your own computer only" in str(refused.value)
    assert "(or set DROPDAY_ENV=development" not in str(refused.value)


@pytest.mark.parametrize(
    "weak",
    [
        "changeme",
        "x" * 64,
        "abababab" * 8,
        "short-but-random-9f8e7d",
        "0123456789abcdef" * 2,
        "secret",
    ],
)
def test_production_refuses_a_weak_secret_key_and_says_how_to_make_one(clean_env, weak):
    _production_secrets(clean_env)
    clean_env.setenv("PLATFORM_MODE", "live")
    clean_env.setenv("SECRET_KEY", weak)
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak") as refused:
        load()
    assert "secrets.token_urlsafe(48)" in str(refused.value)


@pytest.mark.parametrize("keys", ["set", "not-a-fernet-key", Fernet.generate_key().decode() + ","])
def test_production_refuses_malformed_token_keys_and_says_how_to_make_one(clean_env, keys):
    _production_secrets(clean_env)
    clean_env.setenv("TOKEN_KEYS", keys)
    with pytest.raises(ConfigError, match="TOKEN_KEYS is malformed") as refused:
        load()
    assert "Fernet.generate_key()" in str(refused.value)


def test_generated_secrets_are_strong_enough_for_production(clean_env):
    _production_secrets(clean_env)
    clean_env.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    clean_env.setenv(
        "TOKEN_KEYS", f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    )
    with pytest.raises(ConfigError) as refused:
        load()  # still refused, but only for the platform credentials
    assert "platform credentials" in str(refused.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(32),
        lambda: secrets.token_urlsafe(48),
        lambda: Fernet.generate_key().decode(),
    ],
)
def test_the_usual_ways_to_make_a_secret_key_are_accepted(clean_env, make):
    _production_secrets(clean_env)
    for _ in range(50):
        clean_env.setenv("SECRET_KEY", make())
        with pytest.raises(ConfigError, match="platform credentials"):
            load()
