"""article bodies in the editor's canonical form; body images for thumbnails

Trix-era bodies (paragraph divs, attachment figures, bare list items) are rewritten once into
the canonical HTML of docs/editor-schema.md, so that the new editor loads them without loss.
Every figure, caption, link and list is kept (tests/test_migrations.py). Revisions are rewritten
too, so that comparing and restoring them speaks the same form. The visible text does not
change, so the search index stays valid.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 03:40:00

"""
import re

from alembic import op
import sqlalchemy as sa

from bantin.sanitize import clean_html

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BATCH = 500
_FIRST_IMAGE = re.compile(r'<figure><img src="([^"]+)"')


def _rewrite(conn, table: str, with_image: bool) -> None:
    last_id = 0
    while True:
        rows = conn.execute(
            sa.text(f"SELECT id, body FROM {table} WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last_id, "n": BATCH},
        ).all()
        if not rows:
            return
        for row_id, body in rows:
            canonical = clean_html(body or "")
            values = {"id": row_id, "body": canonical}
            if with_image:
                match = _FIRST_IMAGE.search(canonical)
                values["image"] = match.group(1) if match else None
                conn.execute(
                    sa.text(f"UPDATE {table} SET body = :body, body_image_url = :image WHERE id = :id"),
                    values,
                )
            elif canonical != body:
                conn.execute(sa.text(f"UPDATE {table} SET body = :body WHERE id = :id"), values)
        last_id = rows[-1][0]


def upgrade():
    conn = op.get_bind()
    _rewrite(conn, "article", with_image=True)
    _rewrite(conn, "article_revision", with_image=False)


def downgrade():
    # The canonical form is valid HTML that the old editor also displayed: nothing to undo.
    pass
