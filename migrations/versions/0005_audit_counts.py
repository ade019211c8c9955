"""audit log: repeated events counted on one row per window

Refused sign-ins wrote one row each without limit. A row now carries a count, the time of
the latest repeat and a key naming its group (action, account, address, detail, window);
the unique index on the key lets every worker add to the same row with one upsert.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('count', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('last_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('repeat_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ux_audit_log_repeat_key', ['repeat_key'], unique=True)


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ux_audit_log_repeat_key')
        batch_op.drop_column('repeat_key')
        batch_op.drop_column('last_at')
        batch_op.drop_column('count')
