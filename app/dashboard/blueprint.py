"""The dashboard blueprint: every page behind it is for a logged-in member of the current
workspace, and only editors and owners may change anything (a viewer's POST is a 403)."""

from flask import Blueprint, request
from flask_login import login_required

from app.workspaces.scope import require_role

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

READING = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.before_request
@login_required
def require_login():
    """Every dashboard page is for a logged-in artist; changes need an editor."""
    require_role("viewer" if request.method in READING else "editor")
