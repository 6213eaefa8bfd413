"""trust2: an audience member's language (announcements and the withdrawal page speak it)

Revision ID: 0014_trust2
Revises: 0013_audience
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_trust2"
down_revision = "0013_audience"
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
    with op.batch_alter_table("audience_member") as batch:
        batch.drop_column("language")
