"""Flask-Login wiring: loading the artist, safe redirects, and what an expired session gets."""

from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, url_for
from flask_login import login_url

from app.extensions import db, htmx, login_manager


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_artist(artist_id: str):
    from app.models import Artist

    return db.session.get(Artist, int(artist_id)) if artist_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    target = login_url("auth.login", next_url=safe_next(request.full_path.rstrip("?")))
    if htmx:
        # Never swap a login page into a fragment: send the whole page there.
        resp = Response(status=401)
        resp.headers["HX-Redirect"] = target
        return resp
    return redirect(target)


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` when it is a path on this site, else `default` (the dashboard)."""
    fallback = default or url_for("dashboard.index")
    if not target or any(c in target for c in "\\\r\n\t") or not target.startswith("/"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return fallback
    return target
