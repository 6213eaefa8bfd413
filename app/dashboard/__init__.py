"""The artist's dashboard: Smart Links (campaigns) and each campaign's tabs."""

from app.dashboard import campaigns, release_day, subscribers, tabs  # noqa: F401 (registers routes)
from app.dashboard.blueprint import bp

__all__ = ["bp"]
