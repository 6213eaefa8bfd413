"""Error pages: a clear message and the right status for every failure, never a bare 500."""

import math
import time

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.api.problems import problem
from app.extensions import limiter

MESSAGES = {
    400: "That request didn't make sense to us.",
    404: "We couldn't find that page.",
    405: "That action isn't allowed here.",
    413: "That upload is too large. Artwork must be 5 MB or smaller.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you saved was lost; please try again.",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def render_error(status: int, message: str):
    if request.path.startswith("/api/"):
        return problem(status, message)
    if request.path.startswith(("/healthz", "/simulator")) or request.accept_mimetypes.best == (
        "application/json"
    ):
        return jsonify(error=message, status=status), status
    return render_template("error.html", status=status, message=message), status


def csrf_error(error: CSRFError):
    return render_error(
        400, "This form expired or came from another site. Reload the page and try again."
    )


def http_error(error: HTTPException):
    status = error.code or 500
    message = MESSAGES.get(status) or error.description or MESSAGES[400]
    wait = retry_after(error) if status == 429 else None
    if status == 429 and error.description:
        message = error.description
    if wait and "{wait}" in message:
        message = message.format(wait=for_people(wait))
    response = make_response(render_error(status, message))
    if wait:
        response.headers["Retry-After"] = str(wait)
    return response


def retry_after(error: HTTPException) -> int | None:
    """Seconds until the exceeded limit lets this client in again: the real wait, read from
    the limit's storage (only when refusing, so it costs nothing on allowed requests)."""
    if getattr(error, "limit", None) is None:
        return None
    breached = next((limit for limit in limiter.current_limits if limit.breached), None)
    if breached is None:
        return error.limit.limit.get_expiry()
    return max(1, math.ceil(breached.window[0] - time.time()))


def for_people(seconds: int) -> str:
    """'a minute', '15 minutes', '2 hours' (rounded up: never a wait shorter than the real)."""
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "a minute"
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


def unexpected_error(error: Exception):
    from flask import current_app

    from app.extensions import db

    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s", request.path)
    return render_error(500, MESSAGES[500])
