"""Bodies over MAX_CONTENT_LENGTH are refused with 413 however they are sent.

A body with a Content-Length is checked by Werkzeug before anything reads it. A chunked body
has none: Werkzeug would read it up to the limit and hand the view the truncated start (or,
under a server that does not mark the stream terminated, nothing). This middleware reads a
chunked body first, up to the limit (spilling to a temporary file past a megabyte); if the
body is longer, the request reaches Flask marked too large and its first hook answers 413, so
no view sees any of it. Otherwise the view gets the whole body with its real length.
"""

import io
import tempfile

from flask import Flask, abort, request
from werkzeug.wsgi import ClosingIterator

TOO_LARGE = "dropday.body_too_large"
CHUNK = 64 * 1024
IN_MEMORY = 1024 * 1024
# After refusing, read on this far so an honest client gets the 413 rather than a reset
# connection; a longer body is left unread and the connection is dropped.
DRAIN = 64 * 1024 * 1024


class ChunkedBodyLimit:
    def __init__(self, wsgi_app, limit: int):
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ, start_response):
        if (
            environ.get("CONTENT_LENGTH")
            or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            return self.wsgi_app(environ, start_response)
        stream = environ["wsgi.input"]
        body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (closed with the response)
        size = 0
        while size <= self.limit and (chunk := stream.read(CHUNK)):
            size += len(chunk)
            body.write(chunk)
        if size > self.limit:
            body.close()
            _drain(stream)
            environ[TOO_LARGE] = True
            body, size = io.BytesIO(), 0
        body.seek(0)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        return ClosingIterator(self.wsgi_app(environ, start_response), [body.close])


def _drain(stream) -> None:
    read = 0
    while read < DRAIN and (chunk := stream.read(CHUNK)):
        read += len(chunk)


def _refuse_if_too_large() -> None:
    if request.environ.get(TOO_LARGE):
        abort(413)


def init_app(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    # First of all hooks: nothing (CSRF, rate limits, views) runs for a refused body.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_if_too_large)
