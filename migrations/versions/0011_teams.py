"""teams: workspaces, memberships, invitations, the activity log, API tokens, webhooks; campaigns move into their
creator's personal workspace

Revision ID: 0011_teams
Revises: 0010_trust
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_teams"
down_revision = "0010_trust"
branch_labels = None
depends_on = None

ROLES = "role IN ('viewer', 'editor', 'owner')"


def upgrade():
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("personal_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["personal_of_id"],
            ["artist.id"],
            name=op.f("fk_workspace_personal_of_id_artist"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint("personal_of_id", name=op.f("uq_workspace_personal_of_id")),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(ROLES, name=op.f("ck_membership_role")),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
            name=op.f("fk_membership_artist_id_artist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_membership_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("workspace_id", "artist_id", name="uq_membership_member"),
    )
    with op.batch_alter_table("membership") as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_artist_id"), ["artist_id"])
        batch_op.create_index(batch_op.f("ix_membership_workspace_id"), ["workspace_id"])
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLES, name=op.f("ck_invitation_role")),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["artist.id"],
            name=op.f("fk_invitation_invited_by_id_artist"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_invitation_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
    )
    with op.batch_alter_table("invitation") as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_workspace_id"), ["workspace_id"])
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=True),
        sa.Column("who", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
            name=op.f("fk_activity_artist_id_artist"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_activity_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity") as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_activity_workspace_id"), ["workspace_id"])

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(ROLES, name=op.f("ck_api_token_role")),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
            name=op.f("fk_api_token_artist_id_artist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_api_token_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_artist_id"), ["artist_id"])
        batch_op.create_index(batch_op.f("ix_api_token_workspace_id"), ["workspace_id"])

    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_webhook_endpoint_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    with op.batch_alter_table("webhook_endpoint") as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_endpoint_workspace_id"), ["workspace_id"])
    op.create_table(
        "webhook_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_webhook_event_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event")),
        sa.UniqueConstraint("uid", name=op.f("uq_webhook_event_uid")),
    )
    with op.batch_alter_table("webhook_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_event_workspace_id"), ["workspace_id"])
    op.create_table(
        "webhook_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_webhook_attempt_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["webhook_event.id"],
            name=op.f("fk_webhook_attempt_event_id_webhook_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempt")),
    )
    with op.batch_alter_table("webhook_attempt") as batch_op:
        batch_op.create_index("ix_webhook_attempt_endpoint", ["endpoint_id", "at"])
    # Webhook POSTs are outbox rows: no fan, no campaign, an endpoint and an event instead.
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.add_column(sa.Column("webhook_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.alter_column("campaign_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("signup_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("platform", existing_type=sa.String(length=32), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_webhook_id_webhook_endpoint"),
            "webhook_endpoint",
            ["webhook_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_delivery_event_id_webhook_event"),
            "webhook_event",
            ["event_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint("uq_delivery_webhook_event", ["webhook_id", "event_id"])
        batch_op.drop_constraint(batch_op.f("ck_delivery_kind"), type_="check")
        batch_op.create_check_constraint(
            "kind", "kind IN ('save', 'email', 'push', 'webhook')"
        )
        batch_op.create_check_constraint(
            "owner", "(kind = 'webhook') = (signup_id IS NULL AND webhook_id IS NOT NULL)"
        )

    # Every account gets its personal workspace, owned by it, and its campaigns move there.
    op.execute(
        "INSERT INTO workspace (name, personal_of_id, created_at)"
        " SELECT name, id, created_at FROM artist"
    )
    op.execute(
        "INSERT INTO membership (workspace_id, artist_id, role, created_at)"
        " SELECT id, personal_of_id, 'owner', created_at FROM workspace"
    )
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE campaign SET workspace_id ="
        " (SELECT id FROM workspace WHERE workspace.personal_of_id = campaign.artist_id)"
    )
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.alter_column("workspace_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_campaign_workspace_id"), ["workspace_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_campaign_workspace_id_workspace"),
            "workspace",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )
        # The creator's account may go; the campaign stays its workspace's.
        batch_op.alter_column("artist_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint("fk_campaign_artist_id_artist", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_campaign_artist_id_artist"),
            "artist",
            ["artist_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    op.execute("DELETE FROM delivery WHERE kind = 'webhook'")
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_delivery_owner"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_delivery_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('save', 'email', 'push')")
        batch_op.drop_constraint("uq_delivery_webhook_event", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_delivery_event_id_webhook_event"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_delivery_webhook_id_webhook_endpoint"), type_="foreignkey")
        batch_op.alter_column("platform", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("signup_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("campaign_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("event_id")
        batch_op.drop_column("webhook_id")
    op.drop_table("webhook_attempt")
    op.drop_table("webhook_event")
    op.drop_table("webhook_endpoint")
    # Campaigns whose creator is gone have no account to return to.
    op.execute("DELETE FROM campaign WHERE artist_id IS NULL")
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_constraint("fk_campaign_artist_id_artist", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_campaign_artist_id_artist"),
            "artist",
            ["artist_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.alter_column("artist_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("fk_campaign_workspace_id_workspace", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_campaign_workspace_id"))
        batch_op.drop_column("workspace_id")
    op.drop_table("api_token")
    op.drop_table("activity")
    op.drop_table("invitation")
    op.drop_table("membership")
    op.drop_table("workspace")
