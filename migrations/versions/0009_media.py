"""media: artwork renditions stored in the database (MEDIA_STORAGE=database)

Revision ID: 0009_media
Revises: 0008_signup_language
"""

import sqlalchemy as sa
from alembic import op


revision = "0009_media"
down_revision = "0008_signup_language"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_media",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stored_media")),
    )


def downgrade():
    op.drop_table("stored_media")
