"""What a storage backend hands back for a name (a validator, a length, the bytes), and how
long any copy of them may be kept: what is stored under a name never changes."""

from collections.abc import Iterable
from dataclasses import dataclass

CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Blob:
    etag: str
    size: int
    chunks: Iterable[bytes]  # read once

    def read(self) -> bytes:
        return b"".join(self.chunks)
