"""The dashboard blueprint: every page behind it is for a logged-in artist."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def require_login():
    """Every dashboard page is for a logged-in artist."""
