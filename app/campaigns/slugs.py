"""Campaign addresses: the slug in dropday.example/<slug> for a fan page."""

import re
import unicodedata
from collections.abc import Callable

MIN_LENGTH = 3
MAX_LENGTH = 60
FALLBACK = "release"

# Fan pages live at the top level, so anything the app serves there (or may soon) is taken.
RESERVED_SLUGS = frozenset(
    {
        "about", "account", "accounts", "admin", "api", "app", "apple-touch-icon.png", "assets",
        "audience", "auth", "blog", "callback", "campaign", "campaigns", "confirm", "connect",
        "contact", "cookies",
        "dashboard", "delete", "dev", "docs", "dropday", "edit", "email", "export",
        "favicon.ico", "features", "forgot-password", "health", "healthz", "help", "home",
        "index", "legal", "link", "links", "login", "logout", "mail", "manifest.json", "media",
        "new", "oauth", "password", "pricing", "privacy", "push", "register", "reset",
        "reset-password", "robots.txt", "root", "search",
        "security", "settings", "signin", "signup", "simulator", "sitemap.xml", "static",
        "status", "support", "sw.js", "terms", "unsubscribe", "upload", "uploads", "user",
        "users", "webhook", "webhooks", "well-known", ".well-known", "workspace", "workspaces",
        "www",
    }
)  # fmt: skip

RESERVED_MESSAGE = "That address is used by Dropday itself — pick another."
TAKEN_MESSAGE = "That page address is taken — pick another."

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(title: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_LENGTH:
        head = slug[: MAX_LENGTH + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:MAX_LENGTH]
    if not slug:
        return FALLBACK
    # Very short titles ("XO") still need a valid address.
    return slug if len(slug) >= MIN_LENGTH else f"{slug}-{FALLBACK}"


def validate_slug(slug: str) -> str | None:
    """Return why ``slug`` cannot be a campaign address, or None if it can."""
    if len(slug) < MIN_LENGTH:
        return f"An address needs at least {MIN_LENGTH} characters."
    if len(slug) > MAX_LENGTH:
        return f"An address can be at most {MAX_LENGTH} characters."
    if not _SLUG.fullmatch(slug):
        return (
            "Use only lowercase letters, digits and single hyphens, "
            "not starting or ending with a hyphen."
        )
    if slug in RESERVED_SLUGS:
        return RESERVED_MESSAGE
    return None


def unique_slug(base: str, taken: Callable[[str], bool]) -> str:
    """The first of base, base-2, base-3 ... that is neither reserved nor ``taken``."""
    base = slugify(base)
    candidate, n = base, 1
    while candidate in RESERVED_SLUGS or taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate
