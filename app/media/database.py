"""Media in the database: for platforms whose disks are ephemeral and not shared, when no
bucket is configured.

A rendition's description and its first chunk come in one query by primary key; each
further chunk is one query by (name, seq) in an app context of its own, made as the client
takes the previous one, so a slow client never holds a pooled connection between chunks.
The ETag is the stored checksum: answering If-None-Match never reads the bytes.
"""

import hashlib
from collections.abc import Iterable, Iterator

from flask import current_app

from app.database import BINARY_RESULTS
from app.extensions import db
from app.media.blob import Blob, Head
from app.models.media import CHUNK, MediaChunk, StoredMedia

media, chunk = StoredMedia.__table__, MediaChunk.__table__

_HEAD = db.select(media.c.checksum, media.c.size).where(media.c.name == db.bindparam("name"))
_FIRST = (
    db.select(media.c.checksum, media.c.size, chunk.c.data)
    .select_from(media.outerjoin(chunk, (chunk.c.name == media.c.name) & (chunk.c.seq == 0)))
    .where(media.c.name == db.bindparam("name"))
    .execution_options(**BINARY_RESULTS)
)
_CHUNK = (
    db.select(chunk.c.data)
    .where(chunk.c.name == db.bindparam("name"), chunk.c.seq == db.bindparam("seq"))
    .execution_options(**BINARY_RESULTS)
)


def _etag(checksum: str) -> str:
    return checksum[:32]


class DatabaseStorage:
    kind = "database"

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self._delete([name])
        db.session.execute(
            db.insert(media).values(
                name=name,
                content_type=content_type,
                size=len(data),
                checksum=hashlib.sha256(data).hexdigest(),
            )
        )
        chunks = [
            {"name": name, "seq": seq, "data": data[start : start + CHUNK]}
            for seq, start in enumerate(range(0, len(data), CHUNK))
        ]
        if chunks:
            db.session.execute(db.insert(chunk), chunks)
        db.session.commit()  # one transaction: readers see all of it or none

    def head(self, name: str) -> Head | None:
        found = db.session.execute(_HEAD, {"name": name}).first()
        return None if found is None else Head(_etag(found.checksum), found.size)

    def get(self, name: str) -> Blob | None:
        found = db.session.execute(_FIRST, {"name": name}).first()
        if found is None:
            return None
        checksum, size, data = found
        count, first = -(-size // CHUNK), bytes(data or b"")
        if count > 1:
            app = current_app._get_current_object()
            return Blob(_etag(checksum), size, _chunks(app, name, first, count))
        return Blob(_etag(checksum), size, (first,))

    def delete(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            self._delete(names)
            db.session.commit()

    def _delete(self, names: list[str]) -> None:
        db.session.execute(db.delete(chunk).where(chunk.c.name.in_(names)))
        db.session.execute(db.delete(media).where(media.c.name.in_(names)))

    def names(self) -> Iterator[str]:
        last = ""
        while True:
            page = db.session.scalars(
                db.select(media.c.name).where(media.c.name > last).order_by(media.c.name).limit(500)
            ).all()
            yield from page
            if len(page) < 500:
                return
            last = page[-1]


def _chunks(app, name: str, first: bytes, count: int) -> Iterator[bytes]:
    yield first
    for seq in range(1, count):
        with app.app_context():  # its session, and the connection, end with each chunk
            data = db.session.execute(_CHUNK, {"name": name, "seq": seq}).scalar()
        if data is None:  # deleted while being sent: the client sees a short answer
            return
        yield bytes(data)
