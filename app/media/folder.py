"""Media in a local folder: for `make dev` and installations with a persistent volume.

The ETag comes from the file's size and modification time, as static file servers make it:
answering If-None-Match reads no bytes."""

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.media.blob import Blob, Head


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

    def head(self, name: str) -> Head | None:
        try:
            found = self._path(name).stat()
        except FileNotFoundError:
            return None
        return Head(_etag(found), found.st_size) if stat.S_ISREG(found.st_mode) else None

    def get(self, name: str) -> Blob | None:
        try:
            with self._path(name).open("rb") as file:
                found, data = os.fstat(file.fileno()), file.read()
        except (FileNotFoundError, IsADirectoryError):
            return None
        return Blob(_etag(found), len(data), (data,))

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.folder).as_posix()


def _etag(found: os.stat_result) -> str:
    return f"{found.st_mtime_ns:x}-{found.st_size:x}"
