"""The artist's dashboard: Smart Links (campaigns) and each campaign's tabs."""

from app.dashboard import (  # noqa: F401 (registers routes)
    announce,
    audience,
    campaigns,
    insights,
    release_day,
    subscribers,
    tabs,
)
from app.dashboard.blueprint import bp

__all__ = ["bp"]
