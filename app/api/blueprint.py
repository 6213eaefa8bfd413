"""The /api/v1 blueprint: JSON for scripts, authenticated by personal access tokens.

A token acts as its creator's membership in one workspace, its role capped by the token's,
so the API reaches campaigns through the same scoping helper as the dashboard.
"""

from flask import Blueprint, g, request
from flask_limiter.util import get_remote_address

from app.account.api_tokens import authenticate, digest
from app.api.operations import OPERATIONS
from app.api.problems import problem
from app.extensions import csrf, limiter
from app.models.workspace import role_allows

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

RATE = "300 per minute"
PUBLIC = {"api.openapi_json"}


def _bearer() -> str | None:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if kind.lower() == "bearer" else None


def _per_token() -> str:
    token = _bearer()
    return "api-token:" + digest(token) if token else f"api-anonymous:{get_remote_address()}"


limiter.limit(RATE, key_func=_per_token)(bp)


@bp.before_request
def authenticate_token():
    if request.endpoint in PUBLIC:
        return None
    token = _bearer()
    found = authenticate(token) if token else None
    if found is None:
        response = problem(401, "A valid API token is required.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    g.api_token, g.membership = found
    needed = next((op.role for op in OPERATIONS if f"api.{op.endpoint}" == request.endpoint), None)
    if needed is not None and not role_allows(g.membership.role, needed):
        return problem(403, f"This token's role ({g.membership.role}) cannot do this.")
    return None


@bp.after_request
def no_cookies(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response
