"""The artist's dashboard: Smart Links (campaigns) and each campaign's tabs."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def require_login():
    """Every dashboard page is for a logged-in artist."""


# Registers the routes.
from app.dashboard import campaigns, insights, release_day, subscribers, tabs  # noqa: E402,F401
