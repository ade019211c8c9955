"""Backups taken while 10 writers commit are consistent snapshots and restore cleanly;
restore refuses damaged and foreign files and leaves the live database alone."""

import hashlib
import os
import sqlite3
import stat
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import Article, Comment, CommentStatus
from tests.faults.support import integrity, query

WRITERS = 10

pytestmark = pytest.mark.sqlite_only("the SQLite file's backup and restore")


def _writer(
    app, article_id: int, name: str, stop: threading.Event, committed: list, progress
) -> None:
    """Insert comments one short transaction at a time, bumping the article's counter in
    the same transaction: in any consistent snapshot the two agree exactly."""
    with app.app_context():
        n = 0
        while not stop.is_set():
            content = f"{name}-{n}"
            db.session.add(
                Comment(
                    article_id=article_id,
                    name=name,
                    content=content,
                    status=CommentStatus.APPROVED,
                )
            )
            db.session.execute(
                sa.update(Article)
                .where(Article.id == article_id)
                .values(comment_count=Article.comment_count + 1)
            )
            db.session.commit()
            with progress:
                committed.append(content)
                progress.notify_all()
            n += 1
        db.session.remove()


def _snapshot_is_consistent(path: Path, committed: set[str]) -> int:
    assert integrity(path) == "ok"
    contents = [r[0] for r in query(path, "SELECT content FROM comment")]
    (counter,) = query(path, "SELECT comment_count FROM article")[0]
    assert counter == len(contents)  # never half a transaction
    assert set(contents) <= committed
    # Each writer's comments form a prefix of its sequence: a snapshot of one moment.
    by_writer: dict[str, list[int]] = {}
    for content in contents:
        name, _, n = content.rpartition("-")
        by_writer.setdefault(name, []).append(int(n))
    for numbers in by_writer.values():
        assert sorted(numbers) == list(range(len(numbers)))
    return len(contents)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def site(app, factory, tmp_path):
    article = factory.article()
    return app, article, tmp_path / "bantin.db"


def test_backup_under_concurrent_writes_is_consistent_and_restorable(site, runner, tmp_path):
    app, article, live = site
    stop = threading.Event()
    progress = threading.Condition()
    committed: list[str] = []
    threads = [
        threading.Thread(target=_writer, args=(app, article.id, f"w{i}", stop, committed, progress))
        for i in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    backups = []
    try:
        for i in range(3):
            # Let the writers make progress between backups.
            with progress:
                target = len(committed) + 20
                assert progress.wait_for(lambda t=target: len(committed) >= t, timeout=30)
            dest = tmp_path / f"backup-{i}.db"
            result = runner.invoke(args=["backup", str(dest)])
            assert result.exit_code == 0, result.output
            backups.append(dest)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    done = set(committed)
    sizes = [_snapshot_is_consistent(b, done) for b in backups]
    assert sizes[0] > 0 and sizes == sorted(sizes)
    assert query(live, "SELECT count(*) FROM comment")[0][0] == len(done)

    # Restore the middle backup over the live database.
    db.engine.dispose()
    result = runner.invoke(args=["restore", str(backups[1])])
    assert result.exit_code == 0, result.output
    assert "kept as" in result.output
    assert query(live, "SELECT count(*) FROM comment")[0][0] == sizes[1]
    assert integrity(live) == "ok"
    assert query(live, "PRAGMA journal_mode")[0][0] == "wal"
    aside = list(tmp_path.glob("bantin.db.before-restore-*"))
    assert len(aside) == 1
    assert query(aside[0], "SELECT count(*) FROM comment")[0][0] == len(done)
    # The app keeps working on the restored file.
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == sizes[1]


def test_backup_is_a_single_self_contained_file(site, runner, tmp_path):
    _app, _article, _live = site
    dest = tmp_path / "copy.db"
    assert runner.invoke(args=["backup", str(dest)]).exit_code == 0
    assert query(dest, "PRAGMA journal_mode")[0][0] == "delete"
    assert not Path(f"{dest}-wal").exists()


def test_backup_with_uploads_and_restore_of_the_archive(site, runner, tmp_path, app):
    uploads = Path(app.config["UPLOAD_FOLDER"]) / "2024" / "05"
    uploads.mkdir(parents=True)
    (uploads / "abc-800.jpg").write_bytes(b"jpeg bytes")
    dest = tmp_path / "full.tar.gz"
    result = runner.invoke(args=["backup", str(dest), "--with-uploads"])
    assert result.exit_code == 0, result.output
    with tarfile.open(dest) as tar:
        names = tar.getnames()
    assert "bantin.db" in names and "uploads/2024/05/abc-800.jpg" in names
    (uploads / "abc-800.jpg").unlink()
    db.engine.dispose()
    result = runner.invoke(args=["restore", str(dest)])
    assert result.exit_code == 0, result.output
    assert (uploads / "abc-800.jpg").read_bytes() == b"jpeg bytes"


def test_backup_into_a_folder_with_rotation(site, runner, tmp_path, app):
    from datetime import datetime, timedelta

    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2025, 1, 1, 2, 30)
    for day in range(5):
        app.config["CLOCK"] = lambda day=day: start + timedelta(days=day)
        result = runner.invoke(args=["backup", str(folder), "--keep", "3"])
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "bantin-20250103-023000.db",
        "bantin-20250104-023000.db",
        "bantin-20250105-023000.db",
    ]


def _refused(runner, live: Path, source: Path, message: str) -> None:
    before = _digest(live)
    result = runner.invoke(args=["restore", str(source)])
    assert result.exit_code == 1, result.output
    assert "Restore refused" in result.output and message in result.output, result.output
    assert _digest(live) == before
    assert not list(live.parent.glob("bantin.db.before-restore-*"))


def _make_foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def test_restore_refuses_corrupt_and_foreign_files(site, runner, tmp_path):
    _app, _article, live = site
    db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.engine.dispose()

    text = tmp_path / "notes.db"
    text.write_text("this is not a database\n" * 100)
    _refused(runner, live, text, "is not a SQLite database")

    foreign = tmp_path / "other-app.db"
    _make_foreign(foreign)
    _refused(runner, live, foreign, "is not a Bantin database")

    good = tmp_path / "good.db"
    assert runner.invoke(args=["backup", str(good)]).exit_code == 0
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    for offset in range(2 * 4096, len(data) - 4096, 4096):
        data[offset + 8 : offset + 40] = b"\xff" * 32  # trash the b-tree pages
    damaged.write_bytes(bytes(data))
    _refused(runner, live, damaged, "")

    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: 3 * 4096 + 100])
    _refused(runner, live, truncated, "")

    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    _refused(runner, live, newer, "schema version")

    empty_tar = tmp_path / "empty.tar.gz"
    with tarfile.open(empty_tar, "w:gz") as tar:
        tar.add(text, arcname="notes.txt")
    _refused(runner, live, empty_tar, "holds no bantin.db")

    evil_tar = tmp_path / "evil.tar.gz"
    with tarfile.open(evil_tar, "w:gz") as tar:
        tar.add(foreign, arcname="bantin.db")
    _refused(runner, live, evil_tar, "is not a Bantin database")

    _refused(runner, live, tmp_path / "missing.db", "does not exist")
    _refused(runner, live, live, "the live database itself")


def test_restore_archive_cannot_write_outside_the_upload_folder(site, runner, tmp_path, app):
    good = tmp_path / "good.db"
    assert runner.invoke(args=["backup", str(good)]).exit_code == 0
    evil = tmp_path / "traversal.tar.gz"
    payload = tmp_path / "payload.txt"
    payload.write_text("owned")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(good, arcname="bantin.db")
        tar.add(payload, arcname="uploads/../../escaped.txt")
    db.engine.dispose()
    live = tmp_path / "bantin.db"
    before = _digest(live)
    result = runner.invoke(args=["restore", str(evil)])
    assert result.exit_code == 1
    assert "unsafe path" in result.output
    assert _digest(live) == before  # refused before anything was replaced
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not (tmp_path / "escaped.txt").exists()


def test_restore_moves_the_content_version_past_both_databases(site, runner, tmp_path, client):
    """Workers keep cached pages per content version: a restored file must never carry a
    version they have already seen with other content."""
    _app, article, live = site
    url = f"/article/{article.id}/{article.slug}"
    dest = tmp_path / "before-edit.db"
    assert runner.invoke(args=["backup", str(dest)]).exit_code == 0
    backup_version = query(dest, "SELECT version FROM content_state")[0][0]
    article.title = "Tiêu đề sau bản sao"
    db.session.commit()
    assert "Tiêu đề sau bản sao" in client.get(url).get_data(as_text=True)  # now cached
    live_version = db.session.execute(sa.text("SELECT version FROM content_state")).scalar()
    db.session.remove()
    db.engine.dispose()
    result = runner.invoke(args=["restore", str(dest)])
    assert result.exit_code == 0, result.output
    restored = query(live, "SELECT version FROM content_state")[0][0]
    assert restored == max(backup_version, live_version) + 1
    assert "Tiêu đề sau bản sao" not in client.get(url).get_data(as_text=True)


@pytest.fixture
def open_umask():
    """The common default umask (files world-readable) for the length of a test."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backups_are_private_whatever_the_umask(site, runner, tmp_path, app, open_umask):
    """A backup holds password hashes and commenters' addresses: 0600, never world-readable."""
    (Path(app.config["UPLOAD_FOLDER"])).mkdir(exist_ok=True)
    plain = tmp_path / "plain.db"
    archive = tmp_path / "full.tar.gz"
    folder = tmp_path / "daily"
    folder.mkdir()
    assert runner.invoke(args=["backup", str(plain)]).exit_code == 0
    assert runner.invoke(args=["backup", str(archive), "--with-uploads"]).exit_code == 0
    assert runner.invoke(args=["backup", str(folder)]).exit_code == 0
    plain.write_bytes(plain.read_bytes())  # an existing, readable file is replaced privately
    plain.chmod(0o644)
    assert runner.invoke(args=["backup", str(plain)]).exit_code == 0
    written = [plain, archive, *folder.iterdir()]
    assert len(written) == 3
    assert {p.name: _mode(p) for p in written} == {p.name: 0o600 for p in written}

    # The copy of the live database a restore keeps aside is just as private.
    db.engine.dispose()
    result = runner.invoke(args=["restore", str(plain)])
    assert result.exit_code == 0, result.output
    (aside,) = tmp_path.glob("bantin.db.before-restore-*")
    assert _mode(aside) == 0o600


# ---------------------------------------------------------------- schema and smoke checks


def _backup(runner, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _execute(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_restore_refuses_a_foreign_file_with_bantin_table_names(site, runner, tmp_path, client):
    """Right table names and a current version number are not a Bantin database: restoring
    one once made every page a 500."""
    _app, article, live = site
    url = f"/article/{article.id}/{article.slug}"
    head = query(live, "SELECT version_num FROM alembic_version")[0][0]
    db.session.remove()
    db.engine.dispose()
    impostor = tmp_path / "impostor.db"
    _execute(
        impostor,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        f"INSERT INTO alembic_version VALUES ('{head}')",
        "CREATE TABLE article (id INTEGER PRIMARY KEY, title TEXT)",
        "CREATE TABLE category (id INTEGER PRIMARY KEY, name TEXT)",
        "CREATE TABLE comment (id INTEGER PRIMARY KEY, body TEXT)",
        'CREATE TABLE "user" (id INTEGER PRIMARY KEY, email TEXT)',
        "INSERT INTO article (title) VALUES ('not ours')",
    )
    _refused(runner, live, impostor, "is not a Bantin database as its migrations make it")
    result = runner.invoke(args=["restore", str(impostor)])
    assert "missing table article_daily_views" in result.output
    assert "table article differs (missing columns" in result.output
    assert client.get(url).status_code == 200  # the live site never noticed


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            [
                "CREATE TRIGGER wipe AFTER INSERT ON comment BEGIN DELETE FROM user; END",
            ],
            "unexpected trigger wipe",
        ),
        (["CREATE VIEW emails AS SELECT email, password_hash FROM user"], "unexpected view emails"),
        (["DROP INDEX ix_comment_status_created"], "missing index ix_comment_status_created"),
        (["CREATE INDEX ix_extra ON article (title)"], "unexpected index ix_extra"),
        (["ALTER TABLE article ADD COLUMN spare TEXT"], "unexpected columns spare"),
    ],
)
def test_restore_refuses_a_backup_whose_schema_was_changed(
    site, runner, tmp_path, statements, message
):
    _app, _article, live = site
    changed = _backup(runner, tmp_path, "changed.db")
    _execute(changed, *statements)
    db.session.remove()
    db.engine.dispose()
    _refused(runner, live, changed, message)


def test_restore_refuses_data_the_pages_cannot_show(site, runner, tmp_path, factory):
    """The schema matches but an article's date is garbage: the home page would be a 500,
    so the smoke test (home, article, feeds, settings) refuses the file before the swap."""
    _app, article, live = site
    broken = _backup(runner, tmp_path, "broken.db")
    _execute(
        broken, f"UPDATE article SET published_at = '2020-13-45 99:99:99' WHERE id = {article.id}"
    )
    db.session.remove()
    db.engine.dispose()
    _refused(runner, live, broken, "does not work with this Bantin")


def test_restore_accepts_an_older_schema_and_checks_it_upgraded(site, runner, tmp_path, app):
    """A backup from before the last migration matches what the migrations made then, and
    its upgraded copy serves the pages: it is restored, and the operator told to upgrade."""
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from app import create_app
    from bantin.backup import schema_revisions
    from tests.conftest import make_config

    heads, _known = schema_revisions(app)
    scripts = ScriptDirectory(app.extensions["migrate"].directory)
    (head,) = heads
    previous = scripts.get_revision(head).down_revision
    assert isinstance(previous, str)
    older_folder = tmp_path / "older"
    older_folder.mkdir()
    older_app = create_app(make_config(older_folder))
    with older_app.app_context():
        upgrade(revision=previous)
        db.engine.dispose()
    older = older_folder / "bantin.db"
    assert query(older, "SELECT version_num FROM alembic_version")[0][0] == previous
    db.session.remove()
    db.engine.dispose()
    result = runner.invoke(args=["restore", str(older)])
    assert result.exit_code == 0, result.output
    assert "older schema" in result.output
    restored = query(tmp_path / "bantin.db", "SELECT version_num FROM alembic_version")
    assert restored == [(previous,)]
