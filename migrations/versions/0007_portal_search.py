"""search over documents and pages: two FTS5 tables next to the articles'

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    from bantin.search import portal

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":  # FTS5 tables: PostgreSQL's search is migration 0014
        return
    for statement in portal.CREATE_STATEMENTS:
        bind.execute(sa.text(statement))
    portal.reindex(bind)


def downgrade():
    from bantin.search import portal

    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in portal.DROP_STATEMENTS:
        op.get_bind().execute(sa.text(statement))
