"""The one source of "now" for every scheduling decision.

Everything that decides *when* (release checks thinning out, leases, backoff, alerts, the
moment a signup happened) asks `clock.now()`, never `datetime.now()`. In production that is
the system clock. An app may install another source in `app.extensions["dropday.clock"]`
(simulator mode lets the platform simulator's clock drive Dropday's, so tests and the
simulator console move the whole schedule by hours instead of waiting).
"""

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context

EXTENSION = "dropday.clock"


def now() -> datetime:
    """The current moment, aware and in UTC."""
    source: Callable[[], datetime] | None = None
    if has_app_context():
        source = current_app.extensions.get(EXTENSION)
    return source().astimezone(UTC) if source else datetime.now(UTC)


def install(app, source: Callable[[], datetime] | None) -> None:
    """Let `source` (a callable returning an aware datetime) drive `now()` for `app`."""
    if source is None:
        app.extensions.pop(EXTENSION, None)
    else:
        app.extensions[EXTENSION] = source
