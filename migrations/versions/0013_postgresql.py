"""PostgreSQL: the folding function and engine-specific pieces

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 19:30:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _fold_char(ch):
    # bantin.text.fold for one character (kept here: a migration must not change with the app).
    decomposed = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def _translation():
    """translate()'s two lists: every precomposed Latin letter (both cases: lower() folds
    only ASCII in a C locale) to its folded letter, then the combining marks, which have no
    counterpart and so are removed (text stored as NFD folds too)."""
    source, target = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(code)
        folded = _fold_char(ch)
        if len(folded) == 1 and folded != ch:
            source.append(ch)
            target.append(folded)
    marks = [chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))]
    return "".join(source) + "".join(marks), "".join(target)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite registers bantin_fold in Python on every connection (bantin.database)
    source, target = _translation()
    assert "'" not in source + target
    # lower() first for ASCII and the other scripts; then the table above. IMMUTABLE lets
    # an index use it.
    op.execute(
        "CREATE OR REPLACE FUNCTION bantin_fold(value text) RETURNS text"
        " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
        f" AS $$ SELECT translate(lower(value), '{source}', '{target}') $$"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS bantin_fold(text)")
