"""The Alembic migrations build exactly the schema the models describe."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from bantin.extensions import db
from bantin.search import is_search_table


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        # The FTS5 search tables are created by hand in the migration, not by the models.
        opts = {
            "render_as_batch": True,
            "include_name": lambda name, type_, _parents: (
                not (type_ == "table" and is_search_table(name))
            ),
        }
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_from_nothing_and_downgrade(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.db'}")
    with app.app_context():
        upgrade()
        names = set(db.inspect(db.engine).get_table_names())
        assert {"article", "category", "comment", "user", "site_settings", "daily_stats"} <= names
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}


TRIX_BODY = (
    "<div>Ủy ban nhân dân xã <strong>thông báo</strong> lịch tiếp dân.<br><br></div>"
    '<figure data-trix-attachment="{&quot;contentType&quot;:&quot;image/jpeg&quot;,'
    "&quot;url&quot;:&quot;/uploads/2026/11/0a1b2c3d4e5f6a7b-800.jpg&quot;,"
    '&quot;width&quot;:800,&quot;height&quot;:533}" '
    'data-trix-attributes="{&quot;caption&quot;:&quot;Trụ sở xã&quot;}" '
    'class="attachment attachment--preview"><img src="/uploads/2026/11/0a1b2c3d4e5f6a7b-800.jpg">'
    '<figcaption class="attachment__caption">Trụ sở xã</figcaption></figure>'
    '<div>Xem <a href="https://chinhphu.vn/van-ban">văn bản</a>:</div>'
    "<ul><li>Thứ Hai</li><li>Thứ Năm<ul><li>buổi sáng</li></ul></li></ul>"
    "<ol><li>Mang giấy tờ</li></ol>"
)
# What the old sanitiser stored from it: figures already plain, lists without <p>.
OLD_STORED = (
    "<p>Ủy ban nhân dân xã <strong>thông báo</strong> lịch tiếp dân.</p>"
    '<figure><img src="/uploads/2026/11/0a1b2c3d4e5f6a7b-800.jpg" alt="Trụ sở xã" width="800" '
    'height="533"><figcaption>Trụ sở xã</figcaption></figure>'
    '<p>Xem <a href="https://chinhphu.vn/van-ban" rel="noopener noreferrer">văn bản</a>:</p>'
    "<ul><li>Thứ Hai</li><li>Thứ Năm<ul><li>buổi sáng</li></ul></li></ul>"
    "<ol><li>Mang giấy tờ</li></ol>"
)
CANONICAL = (
    "<p>Ủy ban nhân dân xã <strong>thông báo</strong> lịch tiếp dân.</p>"
    '<figure><img src="/uploads/2026/11/0a1b2c3d4e5f6a7b-800.jpg" alt="Trụ sở xã" width="800" '
    'height="533"><figcaption>Trụ sở xã</figcaption></figure>'
    '<p>Xem <a href="https://chinhphu.vn/van-ban" rel="noopener noreferrer">văn bản</a>:</p>'
    "<ul><li><p>Thứ Hai</p></li><li><p>Thứ Năm</p><ul><li><p>buổi sáng</p></li></ul></li></ul>"
    "<ol><li><p>Mang giấy tờ</p></li></ol>"
)


def test_old_bodies_become_canonical_keeping_figures_captions_links_and_lists(
    app_factory, tmp_path
):
    """Migration 0003 on Trix-era markup: raw Trix (a draft's revision) and the old stored form."""
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO category (id, name, slug, description, position, created_at)"
                    " VALUES (1, 'Tin', 'tin', '', 0, '2026-11-01')"
                )
            )
            for article_id, body in ((1, OLD_STORED), (2, "<div>Chỉ chữ</div>")):
                conn.execute(
                    sa.text(
                        "INSERT INTO article (id, title, slug, category_id, author_name, lead,"
                        " body, status, created_at, updated_at, featured, allow_comments,"
                        " view_count, comment_count, version)"
                        " VALUES (:id, 'Bài', 'bai', 1, '', '', :body, 'DRAFT', '2026-11-01',"
                        " '2026-11-01', 0, 1, 0, 0, 1)"
                    ),
                    {"id": article_id, "body": body},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO article_revision (id, article_id, number, title, lead, body,"
                    " created_at, note) VALUES (1, 1, 1, 'Bài', '', :body, '2026-11-01', 'edit')"
                ),
                {"body": TRIX_BODY},
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT id, body FROM article")).all())
            images = dict(conn.execute(sa.text("SELECT id, body_image_url FROM article")).all())
            revision = conn.execute(sa.text("SELECT body FROM article_revision")).scalar_one()
    assert rows[1] == CANONICAL
    assert revision == CANONICAL
    assert rows[2] == "<p>Chỉ chữ</p>"
    assert images == {1: "/uploads/2026/11/0a1b2c3d4e5f6a7b-800.jpg", 2: None}
