"""What a storage backend hands back for a name: its validator and length (Head), or those
with the bytes (Blob); and how long any copy may be kept: what is stored under a name never
changes."""

from collections.abc import Iterable
from dataclasses import dataclass

CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Head:
    etag: str
    size: int


@dataclass(frozen=True)
class Blob(Head):
    chunks: Iterable[bytes]  # read once

    def read(self) -> bytes:
        return b"".join(self.chunks)
