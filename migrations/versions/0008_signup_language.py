"""the language a fan signed up in (their release-day email and push speak it)

Revision ID: 0008_signup_language
Revises: 0007_insights
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_signup_language"
down_revision = "0007_insights"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("signup", "pending_connect"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
            )


def downgrade():
    for table in ("signup", "pending_connect"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
