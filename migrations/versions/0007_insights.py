"""insights: rollup counts, the day's visitor digests, channels; connect attribution

Revision ID: 0007_insights
Revises: 0006_artwork_palette
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_insights"
down_revision = "0006_artwork_palette"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "insight_count",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_insight_count_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("grain IN ('h', 'd')", name=op.f("ck_insight_count_grain")),
        sa.PrimaryKeyConstraint(
            "campaign_id",
            "grain",
            "start",
            "metric",
            "dimension",
            "value",
            name=op.f("pk_insight_count"),
        ),
    )
    op.create_table(
        "visitor_day",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_visitor_day_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "day", "digest", name=op.f("pk_visitor_day")),
    )
    op.create_table(
        "channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_channel_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel")),
        sa.UniqueConstraint("campaign_id", "code", name="uq_channel_code"),
        sa.UniqueConstraint("campaign_id", "name", name="uq_channel_name"),
    )
    with op.batch_alter_table("pending_connect", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attribution", sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table("pending_connect", schema=None) as batch_op:
        batch_op.drop_column("attribution")
    op.drop_table("channel")
    op.drop_table("visitor_day")
    op.drop_table("insight_count")
