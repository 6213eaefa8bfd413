"""Migration 0014 moves each audience from the campaign's creator to the campaign's
workspace on a populated database of its own (SQLite file, or a fresh PostgreSQL database):
a fan of two creators' campaigns in one workspace becomes one member, nothing is lost, the
counts start right, and the downgrade goes back to one audience per creator."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db

BEFORE = "0013_audience"
CAMPAIGN = (
    "INSERT INTO campaign (id, artist_id, workspace_id, slug, title, artist_name, theme,"
    " release_date, time_zone, release_at, source_kind, source_value, platforms, active, phase,"
    " created_at, updated_at) VALUES (:id, :artist, :workspace, :slug, 'T', 'A', 'artwork',"
    " '2026-02-01', 'UTC', '2026-02-01 00:00:00', 'upc', '602445790609', '[]', true, 'presave',"
    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
)
MEMBER = (
    "INSERT INTO audience_member (artist_id, email, platform, country, first_campaign_id,"
    " first_source, consent_version, consented_at, first_signup_at, last_signup_at,"
    " withdrawn_at, withdraw_token) VALUES (:artist, :email, :platform, :country, :first,"
    " 'direct', 1, :first_at, :first_at, :last_at, :withdrawn, :token)"
)


def _populate(connection):
    run = connection.execute
    for n in (1, 2):
        run(
            text(
                "INSERT INTO artist (id, email, name, password_hash, created_at)"
                " VALUES (:n, :email, :name, 'x', '2026-01-01 00:00:00')"
            ),
            {"n": n, "email": f"a{n}@example.com", "name": f"Artist {n}"},
        )
    for n, personal in ((1, 1), (2, 2), (3, None)):
        run(
            text(
                "INSERT INTO workspace (id, name, personal_of_id, created_at)"
                " VALUES (:n, :name, :personal, '2026-01-01 00:00:00')"
            ),
            {"n": n, "name": f"W{n}", "personal": personal},
        )
    for n, workspace, artist in ((1, 1, 1), (2, 3, 1), (3, 3, 2)):
        run(
            text(
                "INSERT INTO membership (id, workspace_id, artist_id, role, created_at)"
                " VALUES (:n, :w, :a, 'owner', '2026-01-01 00:00:00')"
            ),
            {"n": n, "w": workspace, "a": artist},
        )
    # Campaign 1 in artist 1's own workspace; 2 (by artist 1) and 3 (by artist 2) in the label's.
    for n, artist, workspace in ((1, 1, 1), (2, 1, 3), (3, 2, 3)):
        run(text(CAMPAIGN), {"id": n, "artist": artist, "workspace": workspace, "slug": f"r{n}"})
    members = (
        # artist 1's fan joined campaigns 1 and 2, then withdrew
        (1, 1, "fan@example.com", "spotify", "DE", 1, "2026-01-02", "2026-01-03", "2026-01-05"),
        # the same fan joined artist 2's campaign 3 later, and kept consenting
        (2, 2, "fan@example.com", "deezer", None, 3, "2026-01-04", "2026-01-06", None),
        (3, 2, "other@example.com", "tidal", "FR", 3, "2026-01-04", "2026-01-04", None),
    )
    for id_, artist, email, platform, country, first, first_at, last_at, withdrawn in members:
        run(
            text(MEMBER),
            {
                "artist": artist,
                "email": email,
                "platform": platform,
                "country": country,
                "first": first,
                "first_at": f"{first_at} 00:00:00",
                "last_at": f"{last_at} 00:00:00",
                "withdrawn": withdrawn and f"{withdrawn} 00:00:00",
                "token": f"token{id_}",
            },
        )
    for member, campaign in ((1, 1), (1, 2), (2, 3), (3, 3)):
        run(
            text(
                "INSERT INTO audience_campaign (member_id, campaign_id) SELECT id, :c"
                " FROM audience_member WHERE withdraw_token = :token"
            ),
            {"token": f"token{member}", "c": campaign},
        )
    run(
        text(
            "INSERT INTO announcement (id, campaign_id, artist_id, message, recipients, created_at)"
            " VALUES (1, 3, 2, 'Soon', 2, '2026-01-07 00:00:00')"
        )
    )
    for member in (2, 3):
        run(
            text(
                "INSERT INTO delivery (campaign_id, announcement_id, member_id, kind, state,"
                " attempts, unconfirmed, created_at, updated_at) SELECT 3, 1, id,"
                " 'announcement', 'done', 1, false, '2026-01-07 00:00:00', '2026-01-07 00:00:00'"
                " FROM audience_member WHERE withdraw_token = :token"
            ),
            {"token": f"token{member}"},
        )


def _rows(connection, sql):
    return [tuple(row) for row in connection.execute(text(sql))]


def test_audiences_move_to_workspaces_merging_one_fan_of_two_creators(base_config, empty_database):
    app = create_app(base_config | {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _populate(connection)
        upgrade()
        with db.engine.connect() as connection:
            members = _rows(
                connection,
                "SELECT workspace_id, email, platform, country, first_campaign_id,"
                " withdrawn_at IS NULL, withdraw_token, id FROM audience_member"
                " ORDER BY workspace_id, email",
            )
            assert [m[:7] for m in members] == [
                # artist 1's own workspace keeps the fan as they were, withdrawn
                (1, "fan@example.com", "spotify", "DE", 1, False, "token1"),
                # the label: one fan from both creators' campaigns, platform of the latest
                # signup, consent kept because one of them kept it, the first campaign theirs
                (3, "fan@example.com", "deezer", "DE", 2, True, "token1-3"),
                (3, "other@example.com", "tidal", "FR", 3, True, "token3"),
            ]
            merged = members[1][7]
            first, last = connection.execute(
                text("SELECT first_signup_at, last_signup_at FROM audience_member WHERE id = :m"),
                {"m": merged},
            ).one()
            assert (str(first)[:10], str(last)[:10]) == ("2026-01-02", "2026-01-06")
            joined = connection.execute(
                text("SELECT campaign_id FROM audience_campaign WHERE member_id = :m"),
                {"m": merged},
            )
            assert sorted(joined.scalars()) == [2, 3]
            assert _rows(connection, "SELECT id, workspace_id FROM announcement") == [(1, 3)]
            # The fan's delivery of the label's announcement follows them into the merge.
            assert sorted(_rows(connection, "SELECT member_id FROM delivery")) == sorted(
                [(merged,), (members[2][7],)]
            )
            assert _rows(
                connection,
                "SELECT workspace_id, platform, country, reachable, members FROM audience_tally"
                " WHERE members > 0 ORDER BY workspace_id, platform",
            ) == [
                (1, "spotify", "DE", False, 1),
                (3, "deezer", "DE", True, 1),
                (3, "tidal", "FR", True, 1),
            ]
            assert _rows(
                connection, "SELECT workspace_id, members FROM audience_day ORDER BY workspace_id"
            ) == [(3, 1), (3, 1)]
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert _rows(
                connection,
                "SELECT artist_id, email, withdrawn_at IS NULL FROM audience_member"
                " ORDER BY artist_id, email",
            ) == [(1, "fan@example.com", True), (2, "other@example.com", True)]
            assert _rows(connection, "SELECT id, artist_id FROM announcement") == [(1, 2)]
        db.engine.dispose()
