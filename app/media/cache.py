"""A per-process memory of recently served small renditions, in front of any backend.

Stored bytes never change under a name, so keeping them is safe; the bound is in bytes and
each entry lives MEDIA_CACHE_SECONDS, so artwork deleted through another process stops
being served from this one within that time (this process forgets it at once). Renditions
bigger than SMALL are streamed from the backend every time rather than held whole.
"""

import threading
from collections.abc import Iterable, Iterator

from cachetools import TTLCache

from app.media.blob import Blob, Head
from app.media.storage import Storage

SMALL = 1024 * 1024  # every page-size, thumbnail and share rendition fits


class CachedStorage:
    def __init__(self, inner: Storage, max_bytes: int, seconds: float):
        self.inner = inner
        self.kind = inner.kind
        self._cache = TTLCache(max_bytes, seconds, getsizeof=lambda blob: blob.size or 1)
        self._lock = threading.Lock()

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self.inner.put(name, data, content_type)

    def _remembered(self, name: str) -> Blob | None:
        with self._lock:
            return self._cache.get(name)

    def head(self, name: str) -> Head | None:
        return self._remembered(name) or self.inner.head(name)

    def get(self, name: str) -> Blob | None:
        if (blob := self._remembered(name)) is not None:
            return blob
        found = self.inner.get(name)
        if found is None or found.size > min(SMALL, self._cache.maxsize):
            return found
        blob = Blob(found.etag, found.size, (found.read(),))
        with self._lock:
            self._cache[name] = blob
        return blob

    def delete(self, names: Iterable[str]) -> None:
        names = list(names)
        with self._lock:
            for name in names:
                self._cache.pop(name, None)
        self.inner.delete(names)

    def names(self) -> Iterator[str]:
        return self.inner.names()
