"""Migration 0014 moves stored artwork's bytes into 256 KB chunks and back, losing nothing,
on a populated database of its own (SQLite file, or a fresh PostgreSQL database)."""

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.media.storage import build

BEFORE = "0014_audience_workspace"
KB = 1024
STORED = {
    "artwork/" + "a" * 32 + "-page.jpg": bytes(range(256)) * (600 * KB // 256) + b"tail",
    "artwork/" + "b" * 32 + "-og.jpg": b"\x01" * (256 * KB),  # exactly one chunk
    "artwork/" + "c" * 32 + "-thumb.jpg": b"tiny",
    "artwork/" + "d" * 32 + "-480.webp": b"",
}


def _rows(connection, sql):
    return [tuple(row) for row in connection.execute(text(sql))]


def test_stored_artwork_moves_into_chunks_and_back_unchanged(base_config, empty_database):
    app = create_app(base_config | {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            for name, data in STORED.items():
                connection.execute(
                    text(
                        "INSERT INTO stored_media (name, content_type, size, checksum, data,"
                        " created_at) VALUES (:name, 'image/jpeg', :size, :checksum, :data,"
                        " '2026-01-01 00:00:00')"
                    ),
                    {
                        "name": name,
                        "size": len(data),
                        "checksum": hashlib.sha256(data).hexdigest(),
                        "data": data,
                    },
                )
        upgrade()
        with db.engine.connect() as connection:
            assert _rows(
                connection, "SELECT name, COUNT(*) FROM media_chunk GROUP BY name ORDER BY name"
            ) == [(sorted(STORED)[0], 3), (sorted(STORED)[1], 1), (sorted(STORED)[2], 1)]
        media = build("database", app.config)
        for name, data in STORED.items():
            blob = media.get(name)
            assert blob.size == len(data) and blob.read() == data, name
        assert sorted(media.names()) == sorted(STORED)
        db.session.remove()  # its transaction would hold the table the downgrade alters

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            back = {
                name: bytes(data)
                for name, data in _rows(connection, "SELECT name, data FROM stored_media")
            }
        assert back == STORED
        db.engine.dispose()
