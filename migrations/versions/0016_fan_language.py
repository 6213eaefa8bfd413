"""fan language: an audience member's language (announcements and the withdrawal page speak it)

Revision ID: 0016_fan_language
Revises: 0015_media_chunks
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_fan_language"
down_revision = "0015_media_chunks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audience_member") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )
    # Members so far: the language of their latest signup that joined them, where one is left.
    op.execute(
        "UPDATE audience_member SET language = COALESCE(("
        " SELECT signup.language FROM signup"
        " JOIN audience_campaign ON audience_campaign.campaign_id = signup.campaign_id"
        " WHERE audience_campaign.member_id = audience_member.id"
        " AND signup.email = audience_member.email"
        " ORDER BY signup.created_at DESC, signup.id DESC LIMIT 1), 'en')"
    )


def downgrade():
    # A plain DROP COLUMN (SQLite has one since 3.35): batch mode would copy the table on
    # SQLite, and with it lose the audience counting triggers of 0014_audience_workspace.
    op.drop_column("audience_member", "language")
