"""delivery claims: a token per claim (the heartbeat moves lease_until), unconfirmed
outcomes; outages release day waits on

Revision ID: 0012_fire
Revises: 0011_teams
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_fire"
down_revision = "0011_teams"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outage",
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("service", name=op.f("pk_outage")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("unconfirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    op.drop_table("outage")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("unconfirmed")
        batch_op.drop_column("claim")
