"""Flask-Login wiring: log-in sessions that can be ended, safe redirects, and what an expired
session gets.

Each log-in is a LoginSession row; the cookie holds its token (see models/login_session.py).
Loading the artist goes through that row, so deleting it ends the session even for a copied
cookie: log-out deletes the current row, "log out everywhere" and a password reset delete all
of them, a password change all but the current one.
"""

from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, url_for
from flask_login import current_user, login_url, login_user, logout_user

from app.extensions import db, htmx, login_manager


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_artist(token: str):
    from app.models import LoginSession

    row = LoginSession.find(token)
    if row is None:
        return None
    artist = row.artist
    artist.current_session, artist.session_token = row, token
    return artist


def start_session(artist) -> None:
    """Log `artist` in with a new session of their own."""
    from app.models import LoginSession

    row, token = LoginSession.start(artist)
    db.session.commit()
    artist.current_session, artist.session_token = row, token
    login_user(artist)


def end_session() -> None:
    """Log the current artist out here; a copy of this cookie stops working too."""
    from app.models import LoginSession

    if current_user.is_authenticated and current_user.current_session is not None:
        row_id = current_user.current_session.id
        db.session.execute(db.delete(LoginSession).where(LoginSession.id == row_id))
        db.session.commit()
    logout_user()


def end_all_sessions(artist) -> int:
    """End every session of `artist`, the current one included; commits."""
    from app.models import LoginSession

    ended = db.session.execute(
        db.delete(LoginSession).where(LoginSession.artist_id == artist.id)
    ).rowcount
    db.session.commit()
    return ended


def end_other_sessions(artist) -> int:
    """End every session of `artist` but the one this request came with; commits."""
    from app.models import LoginSession

    query = db.delete(LoginSession).where(LoginSession.artist_id == artist.id)
    if artist.current_session is not None:
        query = query.where(LoginSession.id != artist.current_session.id)
    ended = db.session.execute(query).rowcount
    db.session.commit()
    return ended


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
