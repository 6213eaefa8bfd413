"""audience: members who consented to future releases, their campaigns, announcements;
deliveries of kind "announcement"

Revision ID: 0013_audience
Revises: 0012_fire
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_audience"
down_revision = "0012_fire"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('save', 'email', 'push', 'webhook')"
NEW_KINDS = "kind IN ('save', 'email', 'push', 'announcement', 'webhook')"
# Whose effect a row is: a fan's signup, an audience member's, or a webhook endpoint's.
OLD_OWNER = "(kind = 'webhook') = (signup_id IS NULL AND webhook_id IS NOT NULL)"
NEW_OWNER = (
    "(kind = 'webhook') = (webhook_id IS NOT NULL)"
    " AND (kind = 'announcement') = (announcement_id IS NOT NULL AND member_id IS NOT NULL)"
    " AND (signup_id IS NULL) = (kind IN ('webhook', 'announcement'))"
)


def upgrade():
    op.create_table(
        "audience_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("first_campaign_id", sa.Integer(), nullable=True),
        sa.Column("first_source", sa.String(length=64), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_signup_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_signup_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdraw_token", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
            name=op.f("fk_audience_member_artist_id_artist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_campaign_id"],
            ["campaign.id"],
            name=op.f("fk_audience_member_first_campaign_id_campaign"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audience_member")),
        sa.UniqueConstraint("artist_id", "email", name=op.f("uq_audience_member_artist_id")),
        sa.UniqueConstraint("withdraw_token", name=op.f("uq_audience_member_withdraw_token")),
    )
    op.create_index(
        "ix_audience_member_page",
        "audience_member",
        ["artist_id", "first_signup_at", "id"],
        unique=False,
    )
    op.create_table(
        "audience_campaign",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_audience_campaign_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["audience_member.id"],
            name=op.f("fk_audience_campaign_member_id_audience_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "campaign_id", name=op.f("pk_audience_campaign")),
    )
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=600), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
            name=op.f("fk_announcement_artist_id_artist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_announcement_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_announcement_campaign_id")),
    )
    op.create_index(
        "ix_announcement_artist", "announcement", ["artist_id", "created_at"], unique=False
    )
    with op.batch_alter_table("delivery") as batch:
        batch.alter_column(
            "kind", existing_type=sa.String(length=8), type_=sa.String(length=16), nullable=False
        )
        batch.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_delivery_announcement_id_announcement"),
            "announcement",
            ["announcement_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_foreign_key(
            op.f("fk_delivery_member_id_audience_member"),
            "audience_member",
            ["member_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(
            op.f("uq_delivery_announcement_id"), ["announcement_id", "member_id"]
        )
        batch.drop_constraint(op.f("ck_delivery_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_delivery_kind"), NEW_KINDS)
        batch.drop_constraint(op.f("ck_delivery_owner"), type_="check")
        batch.create_check_constraint(op.f("ck_delivery_owner"), NEW_OWNER)


def downgrade():
    op.execute("DELETE FROM delivery WHERE kind = 'announcement'")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(op.f("ck_delivery_owner"), type_="check")
        batch.create_check_constraint(op.f("ck_delivery_owner"), OLD_OWNER)
        batch.drop_constraint(op.f("ck_delivery_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_delivery_kind"), OLD_KINDS)
        batch.drop_constraint(op.f("uq_delivery_announcement_id"), type_="unique")
        batch.drop_constraint(op.f("fk_delivery_member_id_audience_member"), type_="foreignkey")
        batch.drop_constraint(
            op.f("fk_delivery_announcement_id_announcement"), type_="foreignkey"
        )
        batch.drop_column("member_id")
        batch.drop_column("announcement_id")
        batch.alter_column(
            "kind", existing_type=sa.String(length=16), type_=sa.String(length=8), nullable=False
        )
    op.drop_index("ix_announcement_artist", table_name="announcement")
    op.drop_table("announcement")
    op.drop_table("audience_campaign")
    op.drop_index("ix_audience_member_page", table_name="audience_member")
    op.drop_table("audience_member")
