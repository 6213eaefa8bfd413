"""RFC 9457 problem details: every error the API answers is one of these."""

from flask import jsonify

MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str | None = None, **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    return response
