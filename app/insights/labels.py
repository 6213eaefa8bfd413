"""Names people read for the values the rollups keep (country codes, channel codes, ...)."""

from babel import Locale

from app.insights.classify import DIRECT, UNKNOWN
from app.platforms import registry

_territories = Locale("en").territories
FIXED = {
    ("source", DIRECT): "Direct / none",
    ("page", "presave"): "Pre-save page",
    ("page", "smart_link"): "Smart Link",
    ("device", "mobile"): "Mobile",
    ("device", "tablet"): "Tablet",
    ("device", "desktop"): "Desktop",
    ("os", "other"): "Other",
    ("mode", "email"): "Email",
    ("mode", "direct"): "Direct save",
    ("via", "smart_link"): "Smart Link",
    ("via", "email"): "Release-day email",
    ("via", "push"): "Push notification",
    ("platform", "none"): "Not on the fan's platform yet",
}


def flag(code: str) -> str:
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)


def country(code: str) -> str:
    if code == UNKNOWN or len(code) != 2 or not code.isalpha():
        return "Unknown"
    return f"{flag(code.upper())} {_territories.get(code.upper(), code)}"


def labeller(channels: dict[str, str]):
    """label(dimension, value) for a report whose channel codes name `channels`."""

    def label(dimension: str, value: str) -> str:
        if (dimension, value) in FIXED:
            return FIXED[(dimension, value)]
        if dimension == "country":
            return country(value)
        if dimension == "channel":
            return channels.get(value, f"Deleted channel ({value})")
        if dimension == "platform" and value in registry.BY_KEY:
            return registry.BY_KEY[value].name
        return value

    return label
