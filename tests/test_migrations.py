"""The Alembic migrations build exactly the schema the models describe."""

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
