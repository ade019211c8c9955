"""mail digest: how often each user is mailed the comments and questions waiting for
moderation, and when the last digest was queued

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('digest', sa.String(length=10), server_default='daily', nullable=False)
        )
        batch_op.add_column(sa.Column('digest_sent_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('digest')
