"""Artwork in the database is read as it is sent: a browser or CDN revalidating never costs
its bytes, a cold answer is one query per 256 KB chunk, and a slow client holds no database
connection between chunks."""

import io

from sqlalchemy import event

from app.campaigns.artwork import process_artwork, rendition_name, rendition_names
from app.extensions import db
from app.media.storage import storage
from tests.factories import png_bytes

BIG = bytes(range(256)) * (5 * 1024 - 100)  # five 256 KB chunks, beyond the memory's bound


def statements(app) -> list[str]:
    """The SQL the app sends from now on (a live list)."""
    sent = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, *args):
        sent.append(statement)

    return sent


def reads(sent: list[str]) -> list[str]:
    return [s for s in sent if s.lstrip().upper().startswith("SELECT")]


def test_revalidating_artwork_reads_its_checksum_never_its_bytes(make_app):
    app = make_app(MEDIA_STORAGE="database", MEDIA_CACHE_MB=0)
    with app.app_context():
        key, _ = process_artwork(io.BytesIO(png_bytes()), storage())
    client, address = app.test_client(), f"/media/artwork/{key}-page.jpg"
    etag = client.get(address).headers["ETag"]

    sent = statements(app)
    again = client.get(address, headers={"If-None-Match": etag})
    head = client.head(address)
    assert again.status_code == 304 and head.status_code == 200
    assert len(reads(sent)) == 2 and not any("media_chunk" in s for s in sent)

    sent.clear()
    cold = client.get(address)  # a page-size rendition is one chunk: one query answers it
    assert cold.status_code == 200 and len(cold.data) == int(cold.headers["Content-Length"])
    assert len(reads(sent)) == 1
    with app.app_context():
        storage().delete(rendition_names(key))


def test_a_slow_client_holds_no_database_connection_between_chunks(make_app):
    # One connection in the pool: a second answer could not start if the first kept it.
    app = make_app(
        MEDIA_STORAGE="database",
        MEDIA_CACHE_MB=0,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 2},
    )
    names = [rendition_name(key, "1080.jpg") for key in ("f" * 32, "9" * 32)]
    with app.app_context():
        for name in names:
            storage().put(name, BIG, "image/jpeg")
    client = app.test_client()
    sent = statements(app)
    try:
        slow = client.get(f"/media/artwork/{'f' * 32}-1080.jpg", buffered=False)
        body = iter(slow.response)
        received = next(body) + next(body)  # ...then the client stalls
        other = client.get(f"/media/artwork/{'9' * 32}-1080.jpg")
        assert other.status_code == 200 and other.data == BIG
        received += b"".join(body)
        slow.close()
        assert received == BIG and int(slow.headers["Content-Length"]) == len(BIG)
        assert len(reads(sent)) == 2 * 5  # one query per chunk, the first with the checksum
    finally:
        with app.app_context():
            storage().delete(names)
