"""review workflow: the contributor role and the article's review status, when an article was
submitted and the note of its last submission or return

The roles and statuses are strings (non-native enums): the new values need no schema change.
Existing editors keep the role "editor", whose capabilities (bantin.permissions) now include
categories and web links.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('review_note', sa.String(length=1000), server_default='', nullable=False)
        )


def downgrade():
    # Articles waiting for review go back to drafts; contributors become editors.
    op.execute("UPDATE article SET status = 'draft' WHERE status = 'review'")
    op.execute("UPDATE \"user\" SET role = 'editor' WHERE role = 'contributor'")
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_column('review_note')
        batch_op.drop_column('submitted_at')
