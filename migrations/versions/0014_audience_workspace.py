"""audience per workspace: members and announcements move from the campaign's creator to
the campaign's workspace; the Audience page's counts kept by triggers; a prefix-search index

A member becomes one per workspace whose campaigns they joined (a creator with campaigns in
two workspaces had one audience; now each workspace has its own). Members that now share a
workspace and an email merge: earliest first signup (whose first campaign and source stay),
latest last signup and its platform, every campaign joined, consent kept if either kept it.
Downgrade goes back to one audience per creator the same way.

Revision ID: 0014_audience_workspace
Revises: 0013_audience
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_audience_workspace"
down_revision = "0013_audience"
branch_labels = None
depends_on = None

REACHABLE = "{row}.withdrawn_at IS NULL AND {row}.bounced_at IS NULL"

# PostgreSQL: statement triggers over transition tables, so a statement that writes many
# members (a bulk bounce, a deletion) changes each count once, not once per member: a
# million updates of one count row in one transaction would each walk its version chain.
# A decrement is a plain UPDATE: when a workspace goes, its counts may already be gone.
PG_FUNCTION = """
CREATE FUNCTION audience_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE audience_tally AS t SET members = t.members - g.n
        FROM (SELECT workspace_id, platform, COALESCE(country, '') AS country,
                     withdrawn_at IS NULL AND bounced_at IS NULL AS reachable, count(*) AS n
              FROM old_rows GROUP BY 1, 2, 3, 4) AS g
        WHERE t.workspace_id = g.workspace_id AND t.platform = g.platform
          AND t.country = g.country AND t.reachable = g.reachable;
        UPDATE audience_day AS d SET members = d.members - g.n
        FROM (SELECT workspace_id, (first_signup_at AT TIME ZONE 'UTC')::date AS day,
                     count(*) AS n
              FROM old_rows WHERE withdrawn_at IS NULL AND bounced_at IS NULL
              GROUP BY 1, 2) AS g
        WHERE d.workspace_id = g.workspace_id AND d.day = g.day;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO audience_tally AS t (workspace_id, platform, country, reachable, members)
        SELECT workspace_id, platform, COALESCE(country, ''),
               withdrawn_at IS NULL AND bounced_at IS NULL, count(*)
        FROM new_rows GROUP BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, platform, country, reachable)
        DO UPDATE SET members = t.members + EXCLUDED.members;
        INSERT INTO audience_day AS d (workspace_id, day, members)
        SELECT workspace_id, (first_signup_at AT TIME ZONE 'UTC')::date, count(*)
        FROM new_rows WHERE withdrawn_at IS NULL AND bounced_at IS NULL GROUP BY 1, 2
        ON CONFLICT (workspace_id, day) DO UPDATE SET members = d.members + EXCLUDED.members;
    END IF;
    RETURN NULL;
END $$
"""
# PostgreSQL allows transition tables on a trigger of one event only: three triggers.
PG_TRIGGERS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
# Counted columns; an update that changes none of them leaves the counts alone (SQLite).
COUNTED = ("workspace_id", "platform", "country", "first_signup_at", "withdrawn_at", "bounced_at")


def _sqlite_side(row: str, sign: str) -> str:
    reachable = REACHABLE.format(row=row)
    if sign == "-":
        return f"""
    UPDATE audience_tally SET members = members - 1
    WHERE workspace_id = {row}.workspace_id AND platform = {row}.platform
      AND country = COALESCE({row}.country, '') AND reachable = ({reachable});
    UPDATE audience_day SET members = members - 1
    WHERE {reachable} AND workspace_id = {row}.workspace_id
      AND day = date({row}.first_signup_at);
    """
    return f"""
    INSERT INTO audience_tally (workspace_id, platform, country, reachable, members)
    VALUES ({row}.workspace_id, {row}.platform, COALESCE({row}.country, ''), {reachable}, 1)
    ON CONFLICT (workspace_id, platform, country, reachable)
    DO UPDATE SET members = members + 1;
    INSERT INTO audience_day (workspace_id, day, members)
    SELECT {row}.workspace_id, date({row}.first_signup_at), 1 WHERE {reachable}
    ON CONFLICT (workspace_id, day) DO UPDATE SET members = members + 1;
    """


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    return [
        "CREATE TRIGGER audience_count_insert AFTER INSERT ON audience_member BEGIN"
        f"{_sqlite_side('NEW', '+')} END",
        "CREATE TRIGGER audience_count_delete AFTER DELETE ON audience_member BEGIN"
        f"{_sqlite_side('OLD', '-')} END",
        f"CREATE TRIGGER audience_count_update AFTER UPDATE ON audience_member WHEN {changed}"
        f" BEGIN{_sqlite_side('OLD', '-')}{_sqlite_side('NEW', '+')} END",
    ]


def _day(column: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"({column} AT TIME ZONE 'UTC')::date"
    return f"date({column})"


def _merge(key: str) -> None:
    """Members sharing `key` and email become the one with the earliest first signup."""
    op.create_table(
        "audience_merge",
        sa.Column("loser_id", sa.Integer(), primary_key=True),
        sa.Column("keeper_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_audience_merge_pair", "audience_member", [key, "email"])
    op.execute(
        f"""
        INSERT INTO audience_merge (loser_id, keeper_id)
        SELECT id, keeper FROM (
            SELECT m.id, (SELECT k.id FROM audience_member k
                          WHERE k.{key} = m.{key} AND k.email = m.email
                          ORDER BY k.first_signup_at, k.id LIMIT 1) AS keeper
            FROM audience_member m
        ) AS pairs WHERE keeper <> id
        """
    )
    group = (
        "FROM audience_member g WHERE g.id = audience_member.id OR g.id IN"
        " (SELECT loser_id FROM audience_merge WHERE keeper_id = audience_member.id)"
    )
    latest = f"(SELECT g.{{column}} {group} ORDER BY g.last_signup_at DESC, g.id DESC LIMIT 1)"
    op.execute(
        f"""
        UPDATE audience_member SET
            last_signup_at = (SELECT max(g.last_signup_at) {group}),
            platform = {latest.format(column="platform")},
            country = COALESCE({latest.format(column="country")}, country),
            consent_version = (SELECT max(g.consent_version) {group}),
            consented_at = (SELECT max(g.consented_at) {group}),
            withdrawn_at = CASE WHEN EXISTS (SELECT 1 {group} AND g.withdrawn_at IS NULL)
                           THEN NULL ELSE (SELECT max(g.withdrawn_at) {group}) END,
            bounced_at = (SELECT min(g.bounced_at) {group})
        WHERE id IN (SELECT keeper_id FROM audience_merge)
        """
    )
    op.execute(
        """
        INSERT INTO audience_campaign (member_id, campaign_id)
        SELECT DISTINCT m.keeper_id, c.campaign_id
        FROM audience_merge m JOIN audience_campaign c ON c.member_id = m.loser_id
        WHERE NOT EXISTS (SELECT 1 FROM audience_campaign k
                          WHERE k.member_id = m.keeper_id AND k.campaign_id = c.campaign_id)
        """
    )
    # The foreign keys are off while SQLite migrates: what hangs off a loser goes by hand.
    losers = "SELECT loser_id FROM audience_merge"
    op.execute(f"DELETE FROM audience_campaign WHERE member_id IN ({losers})")
    op.execute(
        """
        UPDATE delivery SET member_id = (
            SELECT keeper_id FROM audience_merge WHERE loser_id = delivery.member_id)
        WHERE member_id IN (SELECT loser_id FROM audience_merge) AND NOT EXISTS (
            SELECT 1 FROM delivery k, audience_merge m
            WHERE m.loser_id = delivery.member_id AND k.member_id = m.keeper_id
              AND k.announcement_id = delivery.announcement_id)
        """
    )
    op.execute(f"DELETE FROM delivery WHERE member_id IN ({losers})")
    op.execute(f"DELETE FROM audience_member WHERE id IN ({losers})")
    op.drop_index("ix_audience_merge_pair", table_name="audience_member")
    op.drop_table("audience_merge")


def _create_counts() -> None:
    op.create_table(
        "audience_tally",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_audience_tally_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "platform", "country", "reachable", name=op.f("pk_audience_tally")
        ),
    )
    op.create_table(
        "audience_day",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_audience_day_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "day", name=op.f("pk_audience_day")),
    )
    reachable = REACHABLE.format(row="audience_member")
    op.execute(
        f"""
        INSERT INTO audience_tally (workspace_id, platform, country, reachable, members)
        SELECT workspace_id, platform, COALESCE(country, ''), {reachable}, count(*)
        FROM audience_member
        GROUP BY workspace_id, platform, COALESCE(country, ''), {reachable}
        """
    )
    day = _day("first_signup_at")
    op.execute(
        f"""
        INSERT INTO audience_day (workspace_id, day, members)
        SELECT workspace_id, {day}, count(*) FROM audience_member WHERE {reachable}
        GROUP BY workspace_id, {day}
        """
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for event, tables in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER audience_count_{event} AFTER {event.upper()} ON audience_member"
                f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION audience_count()"
            )
    else:
        for trigger in _sqlite_triggers():
            op.execute(trigger)


def _drop_counts() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER audience_count_{event}" + (" ON audience_member" * postgresql))
    if postgresql:
        op.execute("DROP FUNCTION audience_count()")
    op.drop_table("audience_day")
    op.drop_table("audience_tally")


def upgrade():
    with op.batch_alter_table("audience_member") as batch:
        batch.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("uq_audience_member_artist_id"), type_="unique")
    op.execute(
        """
        UPDATE audience_member SET workspace_id = COALESCE(
            (SELECT c.workspace_id FROM campaign c WHERE c.id = audience_member.first_campaign_id),
            (SELECT min(c.workspace_id) FROM audience_campaign j
             JOIN campaign c ON c.id = j.campaign_id WHERE j.member_id = audience_member.id),
            (SELECT w.id FROM workspace w WHERE w.personal_of_id = audience_member.artist_id))
        """
    )
    # A member who joined campaigns of other workspaces too is copied into each of them
    # (with a withdraw link of its own), taking those campaigns along.
    op.execute(
        """
        INSERT INTO audience_member (workspace_id, artist_id, email, platform, country,
            first_campaign_id, first_source, consent_version, consented_at, first_signup_at,
            last_signup_at, withdrawn_at, bounced_at, withdraw_token)
        SELECT c.workspace_id, m.artist_id, m.email, m.platform, m.country,
            min(c.id), m.first_source, m.consent_version, m.consented_at, m.first_signup_at,
            m.last_signup_at, m.withdrawn_at, m.bounced_at, m.withdraw_token || '-' || c.workspace_id
        FROM audience_member m
        JOIN audience_campaign j ON j.member_id = m.id
        JOIN campaign c ON c.id = j.campaign_id
        WHERE c.workspace_id <> m.workspace_id
        GROUP BY c.workspace_id, m.id, m.artist_id, m.email, m.platform, m.country,
            m.first_source, m.consent_version, m.consented_at, m.first_signup_at,
            m.last_signup_at, m.withdrawn_at, m.bounced_at, m.withdraw_token
        """
    )
    op.execute(
        """
        UPDATE audience_campaign SET member_id = (
            SELECT copy.id FROM audience_member m, campaign c, audience_member copy
            WHERE m.id = audience_campaign.member_id AND c.id = audience_campaign.campaign_id
              AND copy.withdraw_token = m.withdraw_token || '-' || c.workspace_id)
        WHERE EXISTS (
            SELECT 1 FROM audience_member m, campaign c
            WHERE m.id = audience_campaign.member_id AND c.id = audience_campaign.campaign_id
              AND c.workspace_id <> m.workspace_id)
        """
    )
    op.execute("DELETE FROM delivery WHERE member_id IN"
               " (SELECT id FROM audience_member WHERE workspace_id IS NULL)")
    op.execute("DELETE FROM audience_campaign WHERE member_id IN"
               " (SELECT id FROM audience_member WHERE workspace_id IS NULL)")
    op.execute("DELETE FROM audience_member WHERE workspace_id IS NULL")
    _merge("workspace_id")
    op.drop_index("ix_audience_member_page", table_name="audience_member")
    with op.batch_alter_table("audience_member") as batch:
        batch.drop_constraint(op.f("fk_audience_member_artist_id_artist"), type_="foreignkey")
        batch.drop_column("artist_id")
        batch.alter_column("workspace_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_audience_member_workspace_id_workspace"),
            "workspace",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            op.f("uq_audience_member_workspace_id"), ["workspace_id", "email"]
        )
    op.create_index(
        "ix_audience_member_page", "audience_member", ["workspace_id", "first_signup_at", "id"]
    )
    op.create_index(
        "ix_audience_member_search",
        "audience_member",
        ["workspace_id", "email"],
        postgresql_ops={"email": "varchar_pattern_ops"},
    )

    op.drop_index("ix_announcement_artist", table_name="announcement")
    with op.batch_alter_table("announcement") as batch:
        batch.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE announcement SET workspace_id ="
        " (SELECT c.workspace_id FROM campaign c WHERE c.id = announcement.campaign_id)"
    )
    with op.batch_alter_table("announcement") as batch:
        batch.drop_constraint(op.f("fk_announcement_artist_id_artist"), type_="foreignkey")
        batch.drop_column("artist_id")
        batch.alter_column("workspace_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_announcement_workspace_id_workspace"),
            "workspace",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_announcement_workspace", "announcement", ["workspace_id", "created_at"])
    _create_counts()


# Who an audience belonged to before workspaces: the personal workspace's account, else the
# creator of the member's first campaign, else the workspace's first owner.
def _creator(workspace: str, campaign: str) -> str:
    return f"""COALESCE(
        (SELECT w.personal_of_id FROM workspace w WHERE w.id = {workspace}),
        (SELECT c.artist_id FROM campaign c WHERE c.id = {campaign}),
        (SELECT min(s.artist_id) FROM membership s
         WHERE s.workspace_id = {workspace} AND s.role = 'owner'))"""


def downgrade():
    _drop_counts()
    op.drop_index("ix_announcement_workspace", table_name="announcement")
    with op.batch_alter_table("announcement") as batch:
        batch.add_column(sa.Column("artist_id", sa.Integer(), nullable=True))
    creator = _creator("announcement.workspace_id", "announcement.campaign_id")
    op.execute(f"UPDATE announcement SET artist_id = {creator}")
    op.execute(
        "DELETE FROM delivery WHERE announcement_id IN"
        " (SELECT id FROM announcement WHERE artist_id IS NULL)"
    )
    op.execute("DELETE FROM announcement WHERE artist_id IS NULL")
    with op.batch_alter_table("announcement") as batch:
        batch.drop_constraint(op.f("fk_announcement_workspace_id_workspace"), type_="foreignkey")
        batch.drop_column("workspace_id")
        batch.alter_column("artist_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_announcement_artist_id_artist"),
            "artist",
            ["artist_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_announcement_artist", "announcement", ["artist_id", "created_at"])

    op.drop_index("ix_audience_member_search", table_name="audience_member")
    op.drop_index("ix_audience_member_page", table_name="audience_member")
    with op.batch_alter_table("audience_member") as batch:
        batch.add_column(sa.Column("artist_id", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("uq_audience_member_workspace_id"), type_="unique")
    creator = _creator("audience_member.workspace_id", "audience_member.first_campaign_id")
    op.execute(f"UPDATE audience_member SET artist_id = {creator}")
    orphans = "SELECT id FROM audience_member WHERE artist_id IS NULL"
    op.execute(f"DELETE FROM delivery WHERE member_id IN ({orphans})")
    op.execute(f"DELETE FROM audience_campaign WHERE member_id IN ({orphans})")
    op.execute("DELETE FROM audience_member WHERE artist_id IS NULL")
    _merge("artist_id")
    with op.batch_alter_table("audience_member") as batch:
        batch.drop_constraint(op.f("fk_audience_member_workspace_id_workspace"), type_="foreignkey")
        batch.drop_column("workspace_id")
        batch.alter_column("artist_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_audience_member_artist_id_artist"),
            "artist",
            ["artist_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(op.f("uq_audience_member_artist_id"), ["artist_id", "email"])
    op.create_index(
        "ix_audience_member_page", "audience_member", ["artist_id", "first_signup_at", "id"]
    )
