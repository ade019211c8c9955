"""staff two-factor sign-in (TOTP) and recovery codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
