"""the portal: official documents, pages and the menu, contacts, the work schedule

Tables for what Decree 42/2022 asks an agency's portal to publish, and the settings they
add (fax, hotline, English names, the analytics script, the schedule's note).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:12:27.457825

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('document_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('TYPE', 'ISSUER', 'FIELD', name='termkind', native_enum=False, length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'name', name='uq_document_term_kind_name')
    )
    op.create_table('schedule_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('leader', sa.String(length=300), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('preparing_unit', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recurring', sa.Boolean(), nullable=False),
    sa.Column('adjusted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('schedule_entry', schema=None) as batch_op:
        batch_op.create_index('ix_schedule_entry_day_time', ['day', 'start_time'], unique=False)

    op.create_table('schedule_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('week')
    )
    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('photo_url', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['contact_unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_unit_position', ['unit_id', 'position'], unique=False)

    op.create_table('official_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('folded', sa.Text(), server_default='', nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=True),
    sa.Column('field_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('signer', sa.String(length=200), nullable=False),
    sa.Column('legal_status', sa.Enum('IN_FORCE', 'EXPIRED', 'REPLACED', name='legalstatus', native_enum=False, length=16), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'DELETED', name='documentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['field_id'], ['document_term.id'], ),
    sa.ForeignKeyConstraint(['issuer_id'], ['document_term.id'], ),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['official_document.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['type_id'], ['document_term.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('official_document', schema=None) as batch_op:
        batch_op.create_index('ix_official_document_number', ['number'], unique=False)
        batch_op.create_index('ix_official_document_status_issued', ['status', 'issued_on'], unique=False)

    op.create_table('page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'DELETED', name='pagestatus', native_enum=False, length=16), nullable=False),
    sa.Column('needs_english', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['page.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.create_index('ix_page_parent_position', ['parent_id', 'position'], unique=False)

    op.create_table('menu_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('label_en', sa.String(length=120), nullable=False),
    sa.Column('target', sa.Enum('HOME', 'CATEGORY', 'PAGE', 'DOCUMENTS', 'SCHEDULE', 'CONTACTS', 'URL', 'NONE', name='menutarget', native_enum=False, length=16), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['page_id'], ['page.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['menu_item.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('menu_item', schema=None) as batch_op:
        batch_op.create_index('ix_menu_item_parent_position', ['parent_id', 'position'], unique=False)

    op.create_table('official_document_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['official_document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'media_id')
    )
    with op.batch_alter_table('official_document_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_document_file_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_official_document_file_media_id'), ['media_id'], unique=False)

    op.create_table('official_document_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['official_document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'number')
    )
    with op.batch_alter_table('official_document_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_document_revision_document_id'), ['document_id'], unique=False)

    op.create_table('page_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['page.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('page_id', 'number')
    )
    with op.batch_alter_table('page_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_revision_page_id'), ['page_id'], unique=False)

    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fax', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('hotline', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('site_name_en', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('owner_en', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('address_en', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('analytics_script_url', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('schedule_note', sa.String(length=300), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('schedule_note')
        batch_op.drop_column('analytics_script_url')
        batch_op.drop_column('address_en')
        batch_op.drop_column('owner_en')
        batch_op.drop_column('site_name_en')
        batch_op.drop_column('hotline')
        batch_op.drop_column('fax')

    with op.batch_alter_table('page_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_revision_page_id'))

    op.drop_table('page_revision')
    with op.batch_alter_table('official_document_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_document_revision_document_id'))

    op.drop_table('official_document_revision')
    with op.batch_alter_table('official_document_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_document_file_media_id'))
        batch_op.drop_index(batch_op.f('ix_official_document_file_document_id'))

    op.drop_table('official_document_file')
    with op.batch_alter_table('menu_item', schema=None) as batch_op:
        batch_op.drop_index('ix_menu_item_parent_position')

    op.drop_table('menu_item')
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_index('ix_page_parent_position')

    op.drop_table('page')
    with op.batch_alter_table('official_document', schema=None) as batch_op:
        batch_op.drop_index('ix_official_document_status_issued')
        batch_op.drop_index('ix_official_document_number')

    op.drop_table('official_document')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_unit_position')

    op.drop_table('contact')
    op.drop_table('schedule_week')
    with op.batch_alter_table('schedule_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_entry_day_time')

    op.drop_table('schedule_entry')
    op.drop_table('document_term')
    op.drop_table('contact_unit')
