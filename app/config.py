"""Configuration, read from the environment (12-factor).

Local runs (DROPDAY_ENV=development, which `make dev` sets) work with no settings at all:
secrets are generated once into the instance folder and SQLite is the database. Anything
else is production, which refuses to start without the secrets it needs.
"""

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from app import vapid
from app.platforms import registry
from app.platforms import settings as platform_settings

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("DROPDAY_INSTANCE", ROOT / "instance"))


class ConfigError(RuntimeError):
    """A setting production needs is missing or wrong."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(url: str) -> str:
    # PaaS providers still hand out postgres://, which SQLAlchemy no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _local_secrets() -> dict:
    """Secrets for local runs: generated on first use, kept so sessions survive restarts."""
    path = INSTANCE / "local-secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    wanted = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "TOKEN_KEYS": lambda: Fernet.generate_key().decode(),
        "VAPID_PRIVATE_KEY": vapid.generate_private_key,
    }
    if missing := [name for name in wanted if name not in values]:
        # Instance folders from before a secret existed get it added, keeping the others.
        values |= {name: wanted[name]() for name in missing}
        INSTANCE.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a process starting beside this one (the worker, a second
        # test run) never reads half a file.
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(values))
        temporary.chmod(0o600)
        temporary.replace(path)
    return values


def load(overrides: dict | None = None) -> dict:
    """The app's settings: environment first, then `overrides` (tests pass theirs here)."""
    env = os.environ
    overrides = dict(overrides or {})
    testing = overrides.get("TESTING", False)
    environment = overrides.get("DROPDAY_ENV") or env.get("DROPDAY_ENV", "production")
    if environment not in {"production", "development"}:
        raise ConfigError("DROPDAY_ENV must be 'production' or 'development'.")
    production = environment == "production" and not testing
    debug = overrides.get("DEBUG", _bool(env.get("FLASK_DEBUG"), environment == "development"))

    local = {} if production else _local_secrets()
    default_db = f"sqlite:///{INSTANCE / 'dropday.db'}"

    cfg = {
        "DROPDAY_ENV": environment,
        "DEBUG": debug,
        "SECRET_KEY": env.get("SECRET_KEY") or local.get("SECRET_KEY"),
        "TOKEN_KEYS": env.get("TOKEN_KEYS") or local.get("TOKEN_KEYS"),
        "SQLALCHEMY_DATABASE_URI": _database_url(
            env.get("DATABASE_URL") or ("" if production else default_db)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": env.get("REDIS_URL"),
        # Web Push (see app/vapid.py for the key formats).
        "VAPID_PRIVATE_KEY": env.get("VAPID_PRIVATE_KEY") or local.get("VAPID_PRIVATE_KEY"),
        "VAPID_PUBLIC_KEY": env.get("VAPID_PUBLIC_KEY"),
        "VAPID_SUBJECT": env.get("VAPID_SUBJECT") or ("" if production else "mailto:dev@localhost"),
        # Email signups per client IP (Flask-Limiter syntax); bots meet a friendly 429.
        "SIGNUP_RATE_LIMIT": env.get("SIGNUP_RATE_LIMIT", "10 per minute; 60 per hour"),
        # Seconds each web process may answer a fan page from its last rendering (0: never).
        "FAN_PAGE_CACHE_SECONDS": float(env.get("FAN_PAGE_CACHE_SECONDS", "5")),
        # Seconds each web process sums visits in memory before writing them (0: at once).
        "INSIGHTS_FLUSH_SECONDS": float(env.get("INSIGHTS_FLUSH_SECONDS", "2")),
        # Announcements to the audience an owner may send in any 24 hours (one per campaign).
        "ANNOUNCEMENTS_PER_DAY": int(env.get("ANNOUNCEMENTS_PER_DAY", "2")),
        # How many reverse proxies in front of the app set X-Forwarded-For (app/proxies.py).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "CONNECT_RATE_LIMIT": env.get("CONNECT_RATE_LIMIT", "20 per minute; 120 per hour"),
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(INSTANCE / "uploads"),
        # Static files under content-hashed names with gzip and brotli copies, made at start
        # (app/static_files.py); any writable folder.
        "STATIC_BUILD_FOLDER": env.get("STATIC_BUILD_FOLDER") or str(INSTANCE / "static"),
        # Responses compressed by the app itself (Flask-Compress): no proxy needed for it.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 5,
        # Files sent from disk (sw.js, artwork) stay streamed; static/ has precompressed copies.
        "COMPRESS_STREAMS": False,
        # Artwork may be 5 MB; a little room for the rest of the form.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not debug,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not debug,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # werkzeug's method for new password hashes. Not read from the environment: only the
        # test suite lowers it, where thousands of artists are made and scrypt costs ~50 ms.
        "PASSWORD_HASH_METHOD": "scrypt",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        # X-RateLimit headers cost a storage round trip per request; 429s carry Retry-After.
        "RATELIMIT_HEADERS_ENABLED": False,
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        # Flask-Mail would print every SMTP exchange in debug mode; only when asked.
        "MAIL_DEBUG": _bool(env.get("MAIL_DEBUG")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Dropday <noreply@localhost>"),
        # Where `make dev`'s local SMTP server keeps mail; the dev mailbox page reads it.
        "MAILBOX_FOLDER": env.get("MAILBOX_FOLDER") or str(INSTANCE / "mailbox"),
        # Who is told when a release is still not found a day past its release moment.
        "ALERT_EMAIL": env.get("ALERT_EMAIL"),
        "PLATFORM_MODE": env.get("PLATFORM_MODE", "live" if production else "simulator"),
        # Platform base URLs, credentials, timeouts: see app/platforms/settings.py.
        **platform_settings.from_env(env),
    }
    cfg.update(overrides)
    if cfg["PLATFORM_MODE"] == "simulator":
        from app.simulator import defaults as simulator_defaults

        simulator_defaults.apply(cfg, env, INSTANCE)
    cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    check(cfg, production)
    return cfg


def check(cfg: dict, production: bool) -> None:
    """Fail fast with a message that says what to set."""
    missing = [
        name
        for name in (
            "SECRET_KEY",
            "TOKEN_KEYS",
            "SQLALCHEMY_DATABASE_URI",
            "REDIS_URL",
            "VAPID_PRIVATE_KEY",
            "VAPID_SUBJECT",
        )
        if not cfg.get(name) and (production or name != "REDIS_URL")
    ]
    if missing:
        names = ", ".join("DATABASE_URL" if n.startswith("SQLALCHEMY") else n for n in missing)
        hint = " (or set DROPDAY_ENV=development for a local run)" if production else ""
        raise ConfigError(f"Missing required setting(s): {names}{hint}.")
    check_vapid(cfg)
    if cfg["PLATFORM_MODE"] not in {"live", "simulator"}:
        raise ConfigError("PLATFORM_MODE must be 'live' or 'simulator'.")
    if unknown := set(cfg.get("DISABLED_PLATFORMS") or ()) - set(registry.KEYS):
        raise ConfigError(
            f"DISABLED_PLATFORMS names unknown platforms: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(registry.KEYS)})."
        )
    if production and cfg["PLATFORM_MODE"] == "simulator":
        # Its console lets anyone revoke tokens and inject faults: never on a public site.
        raise ConfigError(
            "The platform simulator is for local runs and tests only: "
            "use PLATFORM_MODE=live in production."
        )
    if production and cfg["PLATFORM_MODE"] == "live" and (absent := platform_settings.missing(cfg)):
        raise ConfigError(
            "PLATFORM_MODE=live needs the platform credentials: " + "; ".join(absent) + "."
        )


def check_vapid(cfg: dict) -> None:
    """The public key browsers get always matches the private key that signs the pushes."""
    if not cfg.get("VAPID_PRIVATE_KEY"):
        return
    try:
        derived = vapid.public_key(cfg["VAPID_PRIVATE_KEY"])
    except vapid.VapidKeyError as exc:
        raise ConfigError(str(exc)) from exc
    if cfg.get("VAPID_PUBLIC_KEY") and cfg["VAPID_PUBLIC_KEY"].strip() != derived:
        raise ConfigError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY.")
    cfg["VAPID_PUBLIC_KEY"] = derived
    subject = cfg.get("VAPID_SUBJECT") or ""
    if subject and not subject.startswith(("mailto:", "https:")):
        raise ConfigError("VAPID_SUBJECT must be a mailto: or https: URL.")
