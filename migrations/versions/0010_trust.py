"""trust: double opt-in (campaign switch, signup confirmation time), bounced addresses,
connection health before release day

Revision ID: 0010_trust
Revises: 0009_media
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_trust"
down_revision = "0009_media"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column("double_opt_in", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("signup") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("reconnect_mailed_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("connection") as batch:
        batch.add_column(sa.Column("health", sa.String(length=12), nullable=True))
        batch.add_column(
            sa.Column("health_checked_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Every signup so far was taken without double opt-in: it stands as confirmed.
    op.execute("UPDATE signup SET confirmed_at = created_at")
    op.create_table(
        "bounced_email",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_bounced_email")),
    )


def downgrade():
    op.drop_table("bounced_email")
    with op.batch_alter_table("connection") as batch:
        batch.drop_column("health_checked_at")
        batch.drop_column("health")
    with op.batch_alter_table("signup") as batch:
        batch.drop_column("reconnect_mailed_at")
        batch.drop_column("confirmed_at")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("double_opt_in")
