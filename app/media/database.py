"""Media in the database: for platforms whose disks are ephemeral and not shared, when no
bucket is configured. Each read is one query by primary key for one rendition's bytes."""

import hashlib
from collections.abc import Iterable, Iterator

from app.database import insert
from app.extensions import db
from app.media.blob import Blob
from app.models.media import StoredMedia


class DatabaseStorage:
    kind = "database"

    def put(self, name: str, data: bytes, content_type: str) -> None:
        row = {
            "name": name,
            "content_type": content_type,
            "size": len(data),
            "checksum": hashlib.sha256(data).hexdigest(),
            "data": data,
        }
        statement = insert(StoredMedia).values(row)
        statement = statement.on_conflict_do_update(index_elements=["name"], set_=row)
        db.session.execute(statement)
        db.session.commit()

    def get(self, name: str) -> Blob | None:
        found = db.session.execute(
            db.select(StoredMedia.checksum, StoredMedia.size, StoredMedia.data).where(
                StoredMedia.name == name
            )
        ).first()
        if found is None:
            return None
        checksum, size, data = found
        return Blob(checksum[:32], size, (bytes(data),))

    def delete(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            db.session.execute(db.delete(StoredMedia).where(StoredMedia.name.in_(names)))
            db.session.commit()

    def names(self) -> Iterator[str]:
        last = ""
        while True:
            page = db.session.scalars(
                db.select(StoredMedia.name)
                .where(StoredMedia.name > last)
                .order_by(StoredMedia.name)
                .limit(500)
            ).all()
            yield from page
            if len(page) < 500:
                return
            last = page[-1]
