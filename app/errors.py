"""Error pages: a clear message and the right status for every failure, never a bare 500."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.api.problems import problem

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
    if status == 429 and error.description:
        message = error.description
    response = make_response(render_error(status, message))
    if status == 429 and (wait := retry_after(error)):
        response.headers["Retry-After"] = str(wait)
    return response


def retry_after(error: HTTPException) -> int | None:
    """Seconds to wait after a rate limit: the exceeded limit's window, an upper bound known
    without asking the limit's storage again (X-RateLimit headers, which would, are off)."""
    limit = getattr(error, "limit", None)
    return limit.limit.get_expiry() if limit is not None else None


def unexpected_error(error: Exception):
    from flask import current_app

    from app.extensions import db

    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s", request.path)
    return render_error(500, MESSAGES[500])
