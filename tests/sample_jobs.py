"""Jobs the worker tests enqueue; importable by a worker process started from the repo root."""

import time
from pathlib import Path

from flask import current_app

from app.extensions import db
from app.models import Artist


def artist_names() -> list[str]:
    """Needs the app context and a database session, as every real job does."""
    return sorted(db.session.scalars(db.select(Artist.name)))


def slow_write(path: str, seconds: float) -> str:
    time.sleep(seconds)
    Path(path).write_text(current_app.config["DROPDAY_ENV"])
    return "written"
