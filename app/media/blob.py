"""What a storage backend hands back for a name: a validator, a length and the bytes."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Blob:
    etag: str
    size: int
    chunks: Iterable[bytes]  # read once

    def read(self) -> bytes:
        return b"".join(self.chunks)
