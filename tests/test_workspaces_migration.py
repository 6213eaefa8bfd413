"""Migration 0011 moves every artist's campaigns into a personal workspace and loses nothing,
on a populated database of its own (`empty_database`: a SQLite file, or a fresh PostgreSQL
database)."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db

BEFORE = "0010_trust"
T = "2026-01-01 00:00:00"


def _populate(connection):
    for n in (1, 2):
        connection.execute(
            text(
                "INSERT INTO artist (id, email, name, password_hash, created_at)"
                " VALUES (:n, :email, :name, 'x', :t)"
            ),
            {"n": n, "email": f"a{n}@example.com", "name": f"Artist {n}", "t": T},
        )
    for n, owner in ((1, 1), (2, 1), (3, 2)):
        connection.execute(
            text(
                "INSERT INTO campaign (id, artist_id, slug, title, artist_name, theme,"
                " release_date, time_zone, release_at, source_kind, source_value, platforms,"
                " active, phase, created_at, updated_at) VALUES (:n, :owner, :slug, 'T', 'A',"
                " 'artwork', '2026-02-01', 'UTC', :t, 'upc', '602445790609', '[]', true,"
                " 'presave', :t, :t)"
            ),
            {"n": n, "owner": owner, "slug": f"release-{n}", "t": T},
        )
        connection.execute(
            text(
                "INSERT INTO signup (campaign_id, platform, mode, email, consent_version,"
                " created_at, updated_at, unsubscribe_token)"
                " VALUES (:n, 'spotify', 'email', :email, 1, :t, :t, :token)"
            ),
            {"n": n, "email": f"fan{n}@example.com", "t": T, "token": f"tok{n}"},
        )


def _rows(connection, sql):
    return [tuple(row) for row in connection.execute(text(sql))]


def test_existing_campaigns_move_into_their_owners_personal_workspace(base_config, empty_database):
    app = create_app(base_config | {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _populate(connection)
        upgrade()
        with db.engine.connect() as connection:
            workspaces = _rows(connection, "SELECT id, personal_of_id, name FROM workspace")
            assert sorted(w[1:] for w in workspaces) == [(1, "Artist 1"), (2, "Artist 2")]
            personal = {owner: wid for wid, owner, _ in workspaces}
            assert sorted(
                _rows(connection, "SELECT workspace_id, artist_id, role FROM membership")
            ) == sorted((personal[a], a, "owner") for a in (1, 2))
            assert _rows(connection, "SELECT id, workspace_id FROM campaign ORDER BY id") == [
                (1, personal[1]),
                (2, personal[1]),
                (3, personal[2]),
            ]
            # Nothing that hangs off a campaign was lost while the table was rebuilt.
            assert _rows(connection, "SELECT campaign_id FROM signup ORDER BY campaign_id") == [
                (1,),
                (2,),
                (3,),
            ]
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert _rows(connection, "SELECT id, artist_id FROM campaign ORDER BY id") == [
                (1, 1),
                (2, 1),
                (3, 2),
            ]
            assert len(_rows(connection, "SELECT id FROM signup")) == 3
        db.engine.dispose()
