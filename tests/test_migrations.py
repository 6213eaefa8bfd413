"""The schema comes only from migrations, they match the models exactly, and each one can be
undone: a populated database goes down and back up without losing what the older schema
holds."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db

T = "2026-01-01 00:00:00"


def test_the_migrations_build_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _rows(connection, sql):
    return [tuple(row) for row in connection.execute(text(sql))]


def _columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def _populate_trust(connection):
    """A signup confirmed under double opt-in, a checked connection, a bounced address."""
    connection.execute(
        text(
            "INSERT INTO artist (id, email, name, password_hash, created_at)"
            " VALUES (1, 'a@example.com', 'Artist', 'x', :t)"
        ),
        {"t": T},
    )
    connection.execute(
        text(
            "INSERT INTO campaign (id, artist_id, slug, title, artist_name, theme, release_date,"
            " time_zone, release_at, source_kind, source_value, platforms, active, phase,"
            " created_at, updated_at, double_opt_in) VALUES (1, 1, 'night-drive', 'T', 'A',"
            " 'artwork', '2026-02-01', 'UTC', :t, 'upc', '602445790609', '[]', true, 'presave',"
            " :t, :t, true)"
        ),
        {"t": T},
    )
    connection.execute(
        text(
            "INSERT INTO signup (id, campaign_id, platform, mode, email, consent_version,"
            " created_at, updated_at, unsubscribe_token, confirmed_at)"
            " VALUES (1, 1, 'spotify', 'email', 'fan@example.com', 1, :t, :t, 'tok1', :t)"
        ),
        {"t": T},
    )
    connection.execute(
        text(
            "INSERT INTO bounced_email (email, reason, bounced_at)"
            " VALUES ('gone@example.com', '550 no such user', :t)"
        ),
        {"t": T},
    )


def _populate_audience(connection):
    """The fan joined the artist's audience from a Spanish page."""
    connection.execute(text("UPDATE signup SET language = 'es'"))
    connection.execute(
        text(
            "INSERT INTO audience_member (id, artist_id, email, platform, first_campaign_id,"
            " first_source, consent_version, consented_at, first_signup_at, last_signup_at,"
            " withdraw_token) VALUES (1, 1, 'fan@example.com', 'spotify', 1, 'direct', 1,"
            " :t, :t, :t, 'withdraw1')"
        ),
        {"t": T},
    )
    connection.execute(text("INSERT INTO audience_campaign (member_id, campaign_id) VALUES (1, 1)"))


def test_every_migration_down_to_0009_and_back_keeps_the_older_data(base_config, empty_database):
    app = create_app(base_config | {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision="0010_trust")
        with db.engine.begin() as connection:
            _populate_trust(connection)
        upgrade(revision="0013_audience")
        with db.engine.begin() as connection:
            _populate_audience(connection)
        upgrade()
        with db.engine.connect() as connection:  # 0016: the member speaks their signup's
            assert _rows(connection, "SELECT email, language FROM audience_member") == [
                ("fan@example.com", "es")
            ]
        # Down through 0016 ... 0010 (0010_trust's downgrade last).
        downgrade(revision="0009_media")
        assert "audience_member" not in inspect(db.engine).get_table_names()
        assert "bounced_email" not in inspect(db.engine).get_table_names()
        assert not {"confirmed_at", "reconnect_mailed_at"} & _columns("signup")
        assert "double_opt_in" not in _columns("campaign")
        assert not {"health", "health_checked_at"} & _columns("connection")
        with db.engine.connect() as connection:
            assert _rows(connection, "SELECT id, email, unsubscribe_token FROM signup") == [
                (1, "fan@example.com", "tok1")
            ]
        # And up again: the schema is the models' once more, the signup stands confirmed.
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
            assert _rows(connection, "SELECT confirmed_at IS NOT NULL FROM signup") == [(True,)]
        downgrade(revision="base")  # every migration's downgrade runs
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
