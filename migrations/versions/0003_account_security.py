"""account security: log-in sessions that log-out can end

Revision ID: 0003_account_security
Revises: 0002
Create Date: 2026-11-28 18:50:00

Sessions that existed before this revision carried the artist's id in the cookie; those
cookies simply stop matching and their artists log in once more.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_account_security'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('artist_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artist.id'], name=op.f('fk_login_session_artist_id_artist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_artist_id'), ['artist_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_artist_id'))
    op.drop_table('login_session')
