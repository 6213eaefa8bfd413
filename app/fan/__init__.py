"""The fans' side: the pre-save page at /<slug>, email signup, direct-save connections,
push opt-in, unsubscribe. Public, session-free pages with their own base template."""

from app.fan import (  # noqa: F401 (registers routes)
    calendar,
    confirm,
    connect,
    language_links,
    marks,
    page,
    push,
    routing,
    smart_link,
    unsubscribe,
    visits,
    withdraw,
)
from app.fan.blueprint import bp

__all__ = ["bp"]
