"""htmx fragments: which requests get only a part of a page, and the header that keeps
full pages and fragments apart in caches (they share URLs)."""

from flask import Flask

from app.extensions import htmx


def fragment_request() -> bool:
    """A real htmx swap (not a boosted link or a history restore) gets only the fragment."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def init_app(app: Flask) -> None:
    @app.after_request
    def vary_on_htmx(response):
        response.vary.add("HX-Request")
        return response
