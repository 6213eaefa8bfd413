"""`GET /healthz`: can this process reach its database and Redis?"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db, limiter
from app.jobs import redis_connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    checks = {"database": _check(lambda: db.session.execute(text("SELECT 1")))}
    checks["redis"] = _check(lambda: redis_connection().ping())
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # any failure means unhealthy; say which kind
        current_app.logger.warning("health check failed: %r", error)
        db.session.rollback()
        return f"error: {type(error).__name__}"
    return "ok"
