"""A per-process memory of recently served renditions, in front of any backend.

Stored bytes never change under a name, so keeping them is safe; the bound is in bytes and
each entry lives MEDIA_CACHE_SECONDS, so artwork deleted through another process stops
being served from this one within that time (this process forgets it at once).
"""

import threading
from collections.abc import Iterable, Iterator

from cachetools import TTLCache

from app.media.blob import Blob
from app.media.storage import Storage


class CachedStorage:
    def __init__(self, inner: Storage, max_bytes: int, seconds: float):
        self.inner = inner
        self.kind = inner.kind
        self._cache = TTLCache(max_bytes, seconds, getsizeof=lambda blob: blob.size or 1)
        self._lock = threading.Lock()

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self.inner.put(name, data, content_type)

    def get(self, name: str) -> Blob | None:
        with self._lock:
            blob = self._cache.get(name)
        if blob is not None:
            return blob
        found = self.inner.get(name)
        if found is None:
            return None
        blob = Blob(found.etag, found.size, (found.read(),))
        if blob.size <= self._cache.maxsize:
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
