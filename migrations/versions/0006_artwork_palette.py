"""artwork palette and theme: the fan pages' colours

Revision ID: 0006_artwork_palette
Revises: 0005_release_day
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_artwork_palette"
down_revision = "0005_release_day"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("palette_dominant", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("palette_accent", sa.String(length=7), nullable=True))
        batch_op.add_column(
            sa.Column("theme", sa.String(length=10), nullable=False, server_default="artwork")
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_campaign_theme"), "theme IN ('artwork', 'light', 'dark')"
        )


def downgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_campaign_theme"), type_="check")
        batch_op.drop_column("theme")
        batch_op.drop_column("palette_accent")
        batch_op.drop_column("palette_dominant")
