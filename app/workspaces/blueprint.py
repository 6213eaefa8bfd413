"""The workspace pages' blueprint: every page behind it is for a logged-in artist."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("workspaces", __name__, url_prefix="/workspace")


@bp.before_request
@login_required
def require_login():
    """Every workspace page is for a logged-in artist."""
