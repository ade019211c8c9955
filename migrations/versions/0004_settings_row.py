"""the site settings row exists from the start

Readers' pages read the settings on every content change. Creating the row lazily made a
reader's GET write (and hold SQLite's write lock until the request ended): the row is made
here instead, with the model's defaults, and reading never writes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        sa.text(
            "INSERT INTO site_settings (id, site_name, tagline, logo_url, owner, managing_body,"
            " address, phone, email, credit_line, articles_per_page, comments_require_approval,"
            " comments_auto_approve_returning, comments_close_after_days, moderation_keywords,"
            " blocked_keywords, blocked_ips)"
            " SELECT 1, 'Bản tin', '', NULL, '', '', '', '', '', '', 20, TRUE, FALSE, 0, '', '', ''"
            " WHERE NOT EXISTS (SELECT 1 FROM site_settings WHERE id = 1)"
        )
    )


def downgrade():
    pass  # the row is harmless to an older version (it created it on demand)
