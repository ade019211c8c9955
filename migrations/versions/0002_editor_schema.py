"""editor: media kinds, per-article revision numbers, body image, autosaves

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('IMAGE', 'FILE', name='mediakind', native_enum=False, length=10), server_default='IMAGE', nullable=False))
        batch_op.alter_column('mime', existing_type=sa.String(length=40), type_=sa.String(length=100), existing_nullable=False)

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_image_url', sa.String(length=300), nullable=True))

    with op.batch_alter_table('article_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), server_default='0', nullable=False))
    # Number the existing revisions 1, 2, 3 … per article, oldest first.
    op.execute(
        "UPDATE article_revision SET number = ("
        " SELECT COUNT(*) FROM article_revision AS earlier"
        " WHERE earlier.article_id = article_revision.article_id"
        " AND earlier.id <= article_revision.id)"
    )
    with op.batch_alter_table('article_revision', schema=None) as batch_op:
        batch_op.alter_column('number', server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_unique_constraint('uq_article_revision_article_id_number', ['article_id', 'number'])

    op.create_table('article_autosave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('slot', sa.String(length=40), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('lead', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'slot')
    )
    with op.batch_alter_table('article_autosave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_autosave_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('article_autosave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_autosave_article_id'))
    op.drop_table('article_autosave')
    with op.batch_alter_table('article_revision', schema=None) as batch_op:
        batch_op.drop_constraint('uq_article_revision_article_id_number', type_='unique')
        batch_op.drop_column('number')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_column('body_image_url')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.alter_column('mime', existing_type=sa.String(length=100), type_=sa.String(length=40), existing_nullable=False)
        batch_op.drop_column('kind')
