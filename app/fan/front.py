"""The fan pages' busiest requests, answered before Flask's dispatch.

A shared release link brings thousands of page views a minute, each followed by its visit
beacon. Through Flask's full dispatch (sessions, rate-limit checks, every hook) each costs
several times what serving a static file does, so this WSGI layer, just outside Flask,
answers both the way WhiteNoise answers a static file:

- a GET or HEAD for a page kept in the PageStore (app/fan/page_store.py) is sent from
  there: the same bytes and headers Flask gave, with an ETag (304 when the client has it).
  Every other request goes on to Flask; when a view marked its answer to be kept
  (`cached_page`) and the answer is a public 200 without cookies, it is kept on its way out.
- the visit beacon (`POST /<slug>/v`) is counted here with the same functions the view
  uses (app/fan/visits.py) inside an app context, and answered 204. Anything unusual (no
  such campaign, a body too large or without a length) goes on to the view, which answers.
"""

import functools

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from app.fan import visits
from app.fan.page_cache import KEEP_SECONDS, STORE, forget_on_commit
from app.fan.page_store import PageStore, StoredPage, variant
from app.request_body import TOO_LARGE

BEACON_ENDPOINT = "fan.visit"


class FanFront:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = app.extensions[STORE] = PageStore()
        self.beacon_headers = visits.beacon_headers(app.debug)

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method in ("GET", "HEAD") and self.app.config["FAN_PAGE_CACHE_SECONDS"] > 0:
            key = variant(environ)
            page = self.store.get(key)
            if page is not None:
                return page.answer(environ, start_response)
            return self._keep_on_the_way(key, environ, start_response)
        if method == "POST" and self._counted(environ):
            start_response(visits.BEACON_STATUS, self.beacon_headers)
            return []
        return self.wsgi_app(environ, start_response)

    def _keep_on_the_way(self, key, environ, start_response):
        answered = []

        def remember(status, headers, exc_info=None):
            answered[:] = [status, headers, exc_info]
            return start_response(status, headers, exc_info) if exc_info else _deferred

        body = self.wsgi_app(environ, remember)
        status, headers, exc_info = answered
        if exc_info is None and _keepable(environ, status, headers):
            try:
                content = b"".join(body)
            finally:
                _close(body)
            path = environ.get("PATH_INFO", "")
            page = StoredPage.of(path, headers, content, environ[KEEP_SECONDS])
            self.store.put(key, page)
            return page.answer(environ, start_response)
        if exc_info is None:
            start_response(status, headers)
        return body

    def _counted(self, environ) -> bool:
        """Whether this POST was a visit beacon, now counted."""
        slug = self._beacon_slug(environ.get("PATH_INFO", ""))
        length = environ.get("CONTENT_LENGTH") or ""
        if slug is None or not length.isdigit() or int(length) > visits.MAX_BODY:
            return False
        if environ.get(TOO_LARGE):
            return False
        with self.app.app_context():
            return visits.count(slug, Request(environ), beacon=True)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one FanFront per app, living as long)
    def _beacon_slug(self, path: str) -> str | None:
        try:
            endpoint, args = self.app.url_map.bind("").match(path, method="POST")
        except HTTPException:
            return None
        return args["slug"] if endpoint == BEACON_ENDPOINT else None


def _deferred(data: bytes) -> None:
    raise RuntimeError("fan pages return their body; they do not write it")


def _keepable(environ, status: str, headers: list[tuple[str, str]]) -> bool:
    if not environ.get(KEEP_SECONDS) or environ["REQUEST_METHOD"] != "GET":
        return False
    if not status.startswith("200"):
        return False
    names = {k.lower(): v for k, v in headers}
    return "set-cookie" not in names and "public" in names.get("cache-control", "")


def _close(body) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def init_app(app: Flask) -> None:
    app.wsgi_app = FanFront(app, app.wsgi_app)
    forget_on_commit()
