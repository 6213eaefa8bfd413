"""Configuration, read from the environment (12-factor).

Local runs (DROPDAY_ENV=development, which `make dev` sets) work with no settings at all:
secrets are generated once into the instance folder and SQLite is the database. Anything
else is production, which refuses to start without the secrets it needs.
"""

import json
import math
import os
import secrets
import string
from pathlib import Path

from cryptography.fernet import Fernet

from app import vapid
from app.media.storage import KINDS as MEDIA_KINDS
from app.platforms import registry
from app.platforms import settings as platform_settings

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("DROPDAY_INSTANCE", ROOT / "instance"))


class ConfigError(RuntimeError):
    """A setting production needs is missing or wrong."""


# How to make each secret, quoted in the start-up errors and the README.
GENERATE = {
    "SECRET_KEY": 'python -c "import secrets; print(secrets.token_urlsafe(48))"',
    "TOKEN_KEYS": (
        'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    ),
    "VAPID_PRIVATE_KEY": (
        'python -c "from app.vapid import generate_private_key; print(generate_private_key())"'
    ),
}
# Values seen in examples and tutorials: as good as public.
WEAK_SECRETS = {
    "changeme", "change-me", "secret", "secret-key", "secretkey", "dev", "development",
    "test", "testing", "password", "your-secret-key", "super-secret", "supersecret",
    "replace-me", "please-change-me", "dropday", "flask", "default", "set",
}  # fmt: skip
SECRET_KEY_BITS = 256  # 32 bytes of entropy


# The alphabets secrets are drawn from, smallest first: a secret scores the bits of the first
# that holds all its characters, per character.
_ALPHABETS = [
    set(string.digits),
    set(string.hexdigits.lower()),
    set(string.hexdigits.upper()) | set(string.digits),
    set(string.ascii_lowercase + string.digits),
    set(string.ascii_letters + string.digits + "-_=+/"),
    set(string.printable.strip()),
]


def _entropy_bits(value: str) -> float:
    """An upper bound on a secret's entropy; a value of a few repeated characters scores 0."""
    if len(set(value)) < 10:
        return 0.0
    for alphabet in _ALPHABETS:
        if set(value) <= alphabet:
            return len(value) * math.log2(len(alphabet))
    return len(value) * 8.0  # beyond printable ASCII: count bytes, not characters


def _generate_hint(name: str) -> str:
    return f"Generate one with: {GENERATE[name]}"


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


def _media_storage(env, production: bool) -> str:
    """A bucket if one is named, else a folder where there is one; on a production host
    with neither (a PaaS's ephemeral, unshared disk) the database, which every process shares."""
    if env.get("MEDIA_S3_BUCKET"):
        return "s3"
    if env.get("UPLOAD_FOLDER") or not production:
        return "folder"
    return "database"


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
        # Off: the fan pages send no visit beacon and no visit is counted (signups, clicks and
        # the rest still are), for a server whose owner wants no visit analytics at all.
        "COUNT_VISITS": _bool(env.get("COUNT_VISITS"), True),
        # Announcements to the audience an owner may send in any 24 hours (one per campaign).
        "ANNOUNCEMENTS_PER_DAY": int(env.get("ANNOUNCEMENTS_PER_DAY", "2")),
        # How many reverse proxies in front of the app set X-Forwarded-For (app/proxies.py).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # New campaigns start with double opt-in on (the artist may still switch it per campaign).
        "DOUBLE_OPT_IN": _bool(env.get("DOUBLE_OPT_IN")),
        # Days after a release that fans' emails and push subscriptions are kept (app/retention.py).
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS", "90")),
        "CONNECT_RATE_LIMIT": env.get("CONNECT_RATE_LIMIT", "20 per minute; 120 per hour"),
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(INSTANCE / "uploads"),
        # Where artwork is kept (app/media/): "folder" (UPLOAD_FOLDER), "database" or "s3".
        "MEDIA_STORAGE": env.get("MEDIA_STORAGE") or _media_storage(env, production),
        "MEDIA_S3_BUCKET": env.get("MEDIA_S3_BUCKET"),
        "MEDIA_S3_REGION": env.get("MEDIA_S3_REGION"),
        # Any S3-compatible service: R2, B2, MinIO... (unset: AWS S3 itself).
        "MEDIA_S3_ENDPOINT_URL": env.get("MEDIA_S3_ENDPOINT_URL"),
        "MEDIA_S3_ACCESS_KEY_ID": env.get("MEDIA_S3_ACCESS_KEY_ID"),
        "MEDIA_S3_SECRET_ACCESS_KEY": env.get("MEDIA_S3_SECRET_ACCESS_KEY"),
        "MEDIA_S3_PREFIX": env.get("MEDIA_S3_PREFIX", ""),
        # A public bucket or CDN serving the stored names (MEDIA_PUBLIC_URL/artwork/<key>-...).
        "MEDIA_PUBLIC_URL": (env.get("MEDIA_PUBLIC_URL") or "").rstrip("/"),
        # Megabytes of recently served artwork each web process keeps (0: none; media/cache.py).
        "MEDIA_CACHE_MB": float(env.get("MEDIA_CACHE_MB", "32")),
        "MEDIA_CACHE_SECONDS": float(env.get("MEDIA_CACHE_SECONDS", "60")),
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
        # Webhooks may go to private addresses (and plain http there): an installation that
        # posts to its own network. Off: https to public addresses only.
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("WEBHOOK_ALLOW_PRIVATE")),
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
        hint = (
            " DROPDAY_ENV=development is for local runs on your own computer only, "
            "never for a server."
            if production
            else ""
        )
        raise ConfigError(f"Missing required setting(s): {names}.{hint}")
    if production:
        check_secrets(cfg)
    check_vapid(cfg)
    if cfg["MEDIA_STORAGE"] not in MEDIA_KINDS:
        raise ConfigError(f"MEDIA_STORAGE must be one of: {', '.join(MEDIA_KINDS)}.")
    if cfg["MEDIA_STORAGE"] == "s3" and not cfg.get("MEDIA_S3_BUCKET"):
        raise ConfigError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET.")
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


def check_secrets(cfg: dict) -> None:
    """Production's secrets are strong and well formed, or it does not start."""
    key = cfg["SECRET_KEY"]
    if key.strip().lower() in WEAK_SECRETS or _entropy_bits(key) < SECRET_KEY_BITS:
        raise ConfigError(
            "SECRET_KEY is too weak: it must hold at least 32 bytes of entropy and not be a "
            f"well-known value. {_generate_hint('SECRET_KEY')}"
        )
    keys = [part.strip() for part in cfg["TOKEN_KEYS"].split(",")]
    try:
        if not all(keys):
            raise ValueError("an empty key")
        for part in keys:
            Fernet(part)
    except ValueError as exc:
        raise ConfigError(
            "TOKEN_KEYS is malformed: it must be Fernet keys (32 url-safe base64-encoded "
            f"bytes), comma-separated, newest first. {_generate_hint('TOKEN_KEYS')}"
        ) from exc


def check_vapid(cfg: dict) -> None:
    """The public key browsers get always matches the private key that signs the pushes."""
    if not cfg.get("VAPID_PRIVATE_KEY"):
        return
    try:
        derived = vapid.public_key(cfg["VAPID_PRIVATE_KEY"])
    except vapid.VapidKeyError as exc:
        raise ConfigError(f"{exc} {_generate_hint('VAPID_PRIVATE_KEY')}") from exc
    if cfg.get("VAPID_PUBLIC_KEY") and cfg["VAPID_PUBLIC_KEY"].strip() != derived:
        raise ConfigError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY.")
    cfg["VAPID_PUBLIC_KEY"] = derived
    subject = cfg.get("VAPID_SUBJECT") or ""
    if subject and not subject.startswith(("mailto:", "https:")):
        raise ConfigError("VAPID_SUBJECT must be a mailto: or https: URL.")
