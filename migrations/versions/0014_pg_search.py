"""search on PostgreSQL: folded tsvector columns and GIN indexes

On PostgreSQL the FTS5 tables of migrations 0001 (articles) and 0007 (documents and pages)
have twins of the same names: plain tables with the text, an exact and a folded
``tsvector`` and GIN indexes (bantin.search.postgresql), built here from the rows already
there. SQLite keeps its FTS5 tables: nothing to do.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _tables():
    from bantin.search import index, portal

    return ((index.FOLDED_TABLE, index.TEXT_TABLE), (portal.FOLDED_TABLE, portal.TEXT_TABLE))


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from bantin.search import index, portal, postgresql

    for folded_table, text_table in _tables():
        for statement in postgresql.create_statements(folded_table, text_table):
            bind.execute(sa.text(statement))
    index.reindex(bind)
    portal.reindex(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from bantin.search import postgresql

    for folded_table, text_table in _tables():
        for statement in postgresql.drop_statements(folded_table, text_table):
            bind.execute(sa.text(statement))
