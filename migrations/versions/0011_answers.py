"""answers to readers: replies to comments, questions and their answers

The office's reply is stored on the comment (text, author, first and last change). Questions
(Hỏi đáp) get their own table; their field is a term of the documents' "lĩnh vực" list. The
audit log's detail becomes TEXT: an edit of a comment or of an answer keeps the old text there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reply_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('replied_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reply_updated_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            'fk_comment_reply_by_id_user', 'user', ['reply_by_id'], ['id'], ondelete='SET NULL'
        )

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column(
            'detail', existing_type=sa.String(length=500), type_=sa.Text(), existing_nullable=False
        )

    op.create_table(
        'question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=True),
        sa.Column(
            'status',
            sa.Enum('PENDING', 'PUBLISHED', 'REJECTED', 'SPAM', name='questionstatus',
                    native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column('reason', sa.String(length=100), nullable=False),
        sa.Column('answer', sa.Text(), server_default='', nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('notified_at', sa.DateTime(), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('folded', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['field_id'], ['document_term.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index('ix_question_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(
            'ix_question_status_published', ['status', 'published_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index('ix_question_status_published')
        batch_op.drop_index('ix_question_status_created')
    op.drop_table('question')

    # Details longer than the old limit are cut to fit it.
    op.execute("UPDATE audit_log SET detail = substr(detail, 1, 500) WHERE length(detail) > 500")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column(
            'detail', existing_type=sa.Text(), type_=sa.String(length=500), existing_nullable=False
        )

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_comment_reply_by_id_user', type_='foreignkey')
        batch_op.drop_column('reply_updated_at')
        batch_op.drop_column('replied_at')
        batch_op.drop_column('reply_by_id')
        batch_op.drop_column('reply')
