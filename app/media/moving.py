"""Moving media between backends (`flask media migrate --to ...`).

Each stored name is copied, then read back from the target and compared by SHA-256 with the
source. A name the target already holds with the same bytes is skipped, so a run that was
interrupted can simply be run again; nothing is deleted from the source.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from app.media.storage import Storage


class CopyMismatch(RuntimeError):
    """A copy read back from the target differs from the source."""


@dataclass
class Moved:
    copied: int = 0
    skipped: int = 0
    missing: list[str] = field(default_factory=list)


def _digest(storage: Storage, name: str) -> tuple[str, bytes] | None:
    blob = storage.get(name)
    if blob is None:
        return None
    data = blob.read()
    return hashlib.sha256(data).hexdigest(), data


def move(
    source: Storage,
    target: Storage,
    content_type: Callable[[str], str],
    on_each: Callable[[str], None] = lambda name: None,
) -> Moved:
    moved = Moved()
    for name in source.names():
        found = _digest(source, name)
        if found is None:  # deleted since it was listed
            moved.missing.append(name)
            continue
        checksum, data = found
        already = _digest(target, name)
        if already is not None and already[0] == checksum:
            moved.skipped += 1
            continue
        target.put(name, data, content_type(name))
        copy = _digest(target, name)
        if copy is None or copy[0] != checksum:
            raise CopyMismatch(f"{name}: the copy in the target does not match the source")
        moved.copied += 1
        on_each(name)
    return moved
