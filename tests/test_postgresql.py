"""PostgreSQL's own pieces: the folding function of migration 0013, `copy-to` from a SQLite
site, and `backup`/`restore` through pg_dump and pg_restore. Run with `make test-pg`."""

import unicodedata

import pytest
import sqlalchemy as sa

from app import create_app
from bantin.extensions import db
from bantin.models import Article, Comment, User
from bantin.text import fold
from tests.conftest import ON_POSTGRESQL, POSTGRESQL, make_config

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL only (make test-pg)")

VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


def _letters() -> list[str]:
    return sorted(set(VIETNAMESE) | set(VIETNAMESE.upper()))


def test_bantin_fold_equals_python_fold_for_every_vietnamese_letter(app):
    letters = _letters()
    folded = db.session.execute(
        sa.select(*[sa.func.bantin_fold(sa.literal(ch)) for ch in letters])
    ).one()
    assert dict(zip(letters, folded, strict=True)) == {ch: fold(ch) for ch in letters}


@pytest.mark.parametrize(
    "text",
    ["Đường Trường Sơn", "NGƯỜI DÂN ĐỊA PHƯƠNG", "Hội nghị tổng kết năm 2024", "Crème brûlée"],
)
def test_bantin_fold_on_sentences_composed_and_decomposed(app, text):
    for form in ("NFC", "NFD"):
        value = unicodedata.normalize(form, text)
        assert db.session.scalar(sa.select(sa.func.bantin_fold(value))) == fold(text)
    assert db.session.scalar(sa.select(sa.func.bantin_fold(None))) is None


def test_editor_lists_find_titles_without_marks(app, factory, client, login):
    factory.article(title="Đường mới ở xã Tân Phú")
    factory.article(title="Chợ phiên")
    login(factory.user("admin"))
    page = client.get("/editor/articles?q=duong moi").get_data(as_text=True)
    assert "Đường mới ở xã Tân Phú" in page and "Chợ phiên" not in page


def _sqlite_site(tmp_path):
    from flask_migrate import upgrade

    config = make_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'site.db'}")
    site = create_app(config)
    with site.app_context():
        upgrade()
    return site


def _empty_database(tmp_path, name: str) -> str:
    folder = tmp_path / name
    folder.mkdir()
    POSTGRESQL.counter += 1
    db_name = f"empty_{POSTGRESQL.counter}"
    POSTGRESQL.execute(f'CREATE DATABASE "{db_name}"')
    POSTGRESQL.by_folder[folder] = db_name
    return POSTGRESQL.url(db_name)


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in db.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_copy_to_moves_the_demo_site_and_refuses_a_second_time(tmp_path, migrated_db):
    site = _sqlite_site(tmp_path)
    runner = site.test_cli_runner()
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    url = _empty_database(tmp_path, "target")
    with site.app_context():
        source = {
            t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in db.metadata.sorted_tables
        }
        db.engine.dispose()
    result = runner.invoke(args=["copy-to", url])
    assert result.exit_code == 0, result.output
    assert "every count matches" in result.output
    assert _counts(url) == source
    assert source["article"] > 0 and source["comment"] > 0

    again = runner.invoke(args=["copy-to", url])
    assert again.exit_code != 0 and "not empty" in again.output

    # The copied site serves and takes new rows (the sequences follow the copied ids).
    moved = create_app(make_config(tmp_path / "target", SQLALCHEMY_DATABASE_URI=url))
    with moved.app_context():
        article = db.session.scalars(sa.select(Article).order_by(Article.id)).first()
        assert moved.test_client().get(f"/{article.slug}").status_code in (200, 301, 404)
        user = User(
            email="new@example.com",
            name="Mới",
            role=db.session.scalars(sa.select(User.role)).first(),
        )
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        assert user.id > max(source["user"], 0)
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == source["comment"]
        db.session.remove()
        db.engine.dispose()


def test_copy_to_refuses_a_sqlite_target(tmp_path, migrated_db):
    site = _sqlite_site(tmp_path)
    result = site.test_cli_runner().invoke(args=["copy-to", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0 and "PostgreSQL" in result.output


def test_backup_and_restore_through_pg_dump(app, factory, runner, tmp_path):
    factory.article(title="Bài cần giữ")
    dump = tmp_path / "site.dump"
    made = runner.invoke(args=["backup", str(dump)])
    assert made.exit_code == 0, made.output
    assert dump.stat().st_size > 0

    refused = runner.invoke(args=["restore", str(dump)])
    assert refused.exit_code != 0 and "not empty" in refused.output

    url = _empty_database(tmp_path, "restored")
    other = create_app(make_config(tmp_path / "restored", SQLALCHEMY_DATABASE_URI=url))
    with other.app_context():  # the command runs in the current app's context
        done = other.test_cli_runner().invoke(args=["restore", str(dump)])
        assert done.exit_code == 0, done.output
        titles = db.session.scalars(sa.select(Article.title)).all()
        assert titles == ["Bài cần giữ"]
        db.session.remove()
        db.engine.dispose()
