"""The one storage interface for media, and the backend the settings choose.

Names are paths like "artwork/<key>-<rendition>"; what is stored under a name never changes
(a new upload gets a new random key), so any copy of it may be cached for a year.
"""

from collections.abc import Iterable, Iterator
from typing import Protocol

from flask import after_this_request, current_app, has_request_context

from app.media.blob import Blob, Head

KINDS = ("folder", "database", "s3")


class Storage(Protocol):
    kind: str

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Keep `data` under `name`; readers never see half of it."""

    def head(self, name: str) -> Head | None:
        """The validator and length under `name`, without its bytes, or None."""

    def get(self, name: str) -> Blob | None:
        """The bytes under `name` (streamed: read them once), or None if there are none."""

    def delete(self, names: Iterable[str]) -> None:
        """Remove what is under each name; a name with nothing under it is no error."""

    def names(self) -> Iterator[str]:
        """Every stored name (for moving between backends)."""


def build(kind: str, config) -> Storage:
    """A backend of `kind` configured from the app's settings."""
    if kind == "folder":
        from app.media.folder import FolderStorage

        return FolderStorage(config["UPLOAD_FOLDER"])
    if kind == "database":
        from app.media.database import DatabaseStorage

        return DatabaseStorage()
    if kind == "s3":
        from app.media.s3 import S3Storage

        return S3Storage.from_config(config)
    raise ValueError(f"unknown media storage {kind!r} (known: {', '.join(KINDS)})")


def storage() -> Storage:
    """The current app's media storage."""
    return current_app.extensions["media_storage"]


def delete_after_response(names: list[str]) -> None:
    """Delete `names` once the current response is sent (the page it shows may still point
    at them); outside a request, at once."""
    if not has_request_context():
        storage().delete(names)
        return
    app = current_app._get_current_object()

    def delete(response):
        def run():
            with app.app_context():
                app.extensions["media_storage"].delete(names)

        response.call_on_close(run)
        return response

    after_this_request(delete)
