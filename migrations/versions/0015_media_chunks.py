"""media_chunks: a stored rendition's bytes move into rows of at most 256 KB (media_chunk),
read one by one as the answer is sent

Revision ID: 0014_media_chunks
Revises: 0013_audience
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_media_chunks"
down_revision = "0014_audience_workspace"
branch_labels = None
depends_on = None

CHUNK = 256 * 1024  # as app/models/media.py, written here so this step never changes

stored = sa.table(
    "stored_media", sa.column("name", sa.String), sa.column("data", sa.LargeBinary)
)
chunk = sa.table(
    "media_chunk",
    sa.column("name", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("data", sa.LargeBinary),
)


def _names(connection):
    return connection.scalars(sa.select(stored.c.name).order_by(stored.c.name)).all()


def upgrade():
    op.create_table(
        "media_chunk",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["name"],
            ["stored_media.name"],
            name=op.f("fk_media_chunk_name_stored_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("name", "seq", name=op.f("pk_media_chunk")),
    )
    connection = op.get_bind()
    # One rendition in memory at a time, however many there are.
    for name in _names(connection):
        data = bytes(connection.scalar(sa.select(stored.c.data).where(stored.c.name == name)))
        rows = [
            {"name": name, "seq": seq, "data": data[start : start + CHUNK]}
            for seq, start in enumerate(range(0, len(data), CHUNK))
        ]
        if rows:
            connection.execute(chunk.insert(), rows)
    with op.batch_alter_table("stored_media") as batch:
        batch.drop_column("data")


def downgrade():
    with op.batch_alter_table("stored_media") as batch:
        batch.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    for name in _names(connection):
        parts = connection.scalars(
            sa.select(chunk.c.data).where(chunk.c.name == name).order_by(chunk.c.seq)
        )
        data = b"".join(bytes(part) for part in parts)
        connection.execute(stored.update().where(stored.c.name == name).values(data=data))
    with op.batch_alter_table("stored_media") as batch:
        batch.alter_column("data", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table("media_chunk")
