"""Artwork answered in front of Flask, as WhiteNoise answers /static/.

A rendition is named by a random key, so its answer never changes: it is sent with an ETag,
`304` for a browser or CDN that already has it (from the backend's head, without reading the
bytes), and a year of immutable caching, with the site's security headers; the bytes are
streamed as the backend hands them over, with the stored length as Content-Length. Only
hits are answered here; anything else (a missing key, a malformed address, another method)
goes on to Flask, which answers it as usual (404).
`init_app` gives the app its storage (with the per-process cache) and this layer.
"""

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.http import parse_etags, quote_etag

from app.campaigns.artwork import mimetype, rendition_name
from app.media.blob import CACHE_CONTROL, Blob, Head
from app.media.cache import CachedStorage
from app.media.storage import build
from app.security_headers import add_early_headers, allow

PREFIX = "/media/artwork/"


def init_app(app: Flask) -> None:
    backend = build(app.config["MEDIA_STORAGE"], app.config)
    if app.config["MEDIA_CACHE_MB"] > 0:
        megabytes, seconds = app.config["MEDIA_CACHE_MB"], app.config["MEDIA_CACHE_SECONDS"]
        backend = CachedStorage(backend, int(megabytes * 1024 * 1024), seconds)
    app.extensions["media_storage"] = backend
    app.wsgi_app = ArtworkFiles(app, app.wsgi_app)
    if public := app.config["MEDIA_PUBLIC_URL"]:
        # Pages show artwork from the bucket or CDN: their CSP lets images come from there.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(public))
        app.before_request(lambda: allow("img-src", origin))


class ArtworkFiles:
    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        # The site's headers are the same on every answer: made once, not per request.
        site = Headers({"Cache-Control": CACHE_CONTROL})
        add_early_headers(site, app.debug)
        self.site_headers = site.to_wsgi_list()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if not path.startswith(PREFIX) or method not in {"GET", "HEAD"}:
            return self.wsgi_app(environ, start_response)
        key, _, rendition = path.removeprefix(PREFIX).partition("-")
        try:
            name = rendition_name(key, rendition)
        except ValueError:
            return self.wsgi_app(environ, start_response)
        asked = environ.get("HTTP_IF_NONE_MATCH")
        found = self._find(name, bytes_needed=method == "GET" and not asked)
        if found is None:
            return self.wsgi_app(environ, start_response)

        headers = [("ETag", quote_etag(found.etag)), *self.site_headers]
        if asked and parse_etags(asked).contains_weak(found.etag):
            start_response("304 Not Modified", headers)
            return []
        if method == "GET" and not isinstance(found, Blob):  # asked with an old validator
            found = self._find(name, bytes_needed=True)
            if found is None:
                return self.wsgi_app(environ, start_response)
        headers += [("Content-Type", mimetype(rendition)), ("Content-Length", str(found.size))]
        start_response("200 OK", headers)
        return found.chunks if method == "GET" else []

    def _find(self, name: str, bytes_needed: bool) -> Head | None:
        """The stored rendition, with its bytes only when the answer will carry them."""
        with self.app.app_context():
            media = self.app.extensions["media_storage"]
            return media.get(name) if bytes_needed else media.head(name)
