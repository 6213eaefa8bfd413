"""The artist's dashboard: campaigns (list, create, edit, activate, delete)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def require_login():
    """Every dashboard page is for a logged-in artist."""


from app.dashboard import campaigns, release_day  # noqa: E402,F401  (registers the routes)
