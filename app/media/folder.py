"""Media in a local folder: for `make dev` and installations with a persistent volume."""

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.media.blob import Blob

CHUNK = 64 * 1024


class FolderStorage:
    kind = "folder"

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        return self.folder / name

    def put(self, name: str, data: bytes, content_type: str) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a front web server may serve these
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, name: str) -> Blob | None:
        try:
            data = self._path(name).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None
        return Blob(hashlib.sha256(data).hexdigest()[:32], len(data), (data,))

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.folder).as_posix()
