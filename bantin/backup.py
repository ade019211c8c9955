"""Backups and restores of the one SQLite file (and, optionally, the uploads); on
PostgreSQL, ``pg_dump -Fc`` and ``pg_restore`` into an empty database (the end of this module).

Both directions go through SQLite's online backup API, never a file copy: a backup
taken while the site writes is a consistent snapshot (WAL lets the site keep writing),
and a restore writes the pages through SQLite so the live file, its ``-wal`` and its
``-shm`` stay a matching set even if a server process still has the file open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from bantin.clock import utcnow
from bantin.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
DB_MEMBER = "bantin.db"
UPLOADS_MEMBER = "uploads"
BACKUP_PREFIX = "bantin-"
# Tables every Bantin database has; a SQLite file without them is someone else's.
REQUIRED_TABLES = frozenset({"alembic_version", "article", "category", "comment", "user"})


class BackupError(Exception):
    """A refusal or failure explained in one sentence for the operator."""


# ---------------------------------------------------------------- locations


def database_path(app: Flask | None = None) -> Path:
    """The SQLite file behind SQLALCHEMY_DATABASE_URI (relative paths: the instance folder)."""
    app = app or current_app
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError("Backups need SQLALCHEMY_DATABASE_URI to name a SQLite file.")
    name = url.database
    if name.startswith("file:"):  # sqlite:///file:/path?mode=ro&uri=true
        name = unquote(name.removeprefix("file:").split("?", 1)[0])
    path = Path(name)
    if not path.is_absolute():
        path = Path(app.instance_path) / path
    return path


def schema_revisions(app: Flask | None = None) -> tuple[set[str], set[str]]:
    """(heads, every known revision) of the Alembic scripts in migrations/."""
    from alembic.script import ScriptDirectory

    app = app or current_app
    directory = app.extensions["migrate"].directory
    scripts = ScriptDirectory(directory)
    return set(scripts.get_heads()), {rev.revision for rev in scripts.walk_revisions()}


def _timestamp() -> str:
    return utcnow().strftime("%Y%m%d-%H%M%S")


def _connect(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return conn


# ---------------------------------------------------------------- inspection


@dataclass
class DatabaseInfo:
    path: Path
    revision: str
    articles: int
    comments: int


def inspect_database(path: Path, app: Flask | None = None) -> DatabaseInfo:
    """Refuse (BackupError) anything but an intact Bantin database of a known schema."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror}.") from exc
    if header != SQLITE_MAGIC:
        raise BackupError(f"{path} is not a SQLite database.")
    conn = _connect(path)
    try:
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is damaged: {exc}.") from exc
        if rows != [("ok",)]:
            detail = "; ".join(str(r[0]) for r in rows[:3])
            raise BackupError(f"{path} failed PRAGMA integrity_check: {detail}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if missing:
            raise BackupError(
                f"{path} is not a Bantin database (missing tables: {', '.join(sorted(missing))})."
            )
        versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        _heads, known = schema_revisions(app)
        if len(versions) != 1 or versions[0] not in known:
            raise BackupError(
                f"{path} has schema version {versions or 'none'}, which this code does not "
                "know (a backup from a newer Bantin, or not a Bantin database)."
            )
        articles = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        comments = conn.execute("SELECT count(*) FROM comment").fetchone()[0]
    finally:
        conn.close()
    return DatabaseInfo(path, versions[0], articles, comments)


# ---------------------------------------------------------------- schema and smoke checks

# A schema, object by object: (kind, name) -> what defines it. Tables by their columns,
# foreign keys and automatic indexes (not by their CREATE text, which differs between
# SQLAlchemy versions for the same migration); indexes by their columns; triggers, views
# and virtual tables by their SQL with the white space folded.
Schema = dict[tuple[str, str], object]
_REFERENCE_SCHEMAS: dict[tuple[str, str], Schema] = {}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _squash(sql: str | None) -> str:
    return " ".join((sql or "").split())


def database_schema(conn: sqlite3.Connection) -> Schema:
    """Every table, column, foreign key, index, trigger and view of an open database."""
    schema: Schema = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY type, name"
    ).fetchall()
    for kind, name, table, sql in rows:
        if kind == "table" and _squash(sql).upper().startswith("CREATE VIRTUAL TABLE"):
            schema[("virtual table", name)] = _squash(sql)
        elif kind == "table":
            columns = tuple(r[1:] for r in conn.execute(f"PRAGMA table_xinfo({_ident(name)})"))
            keys = tuple(
                sorted(
                    tuple(r[1:]) for r in conn.execute(f"PRAGMA foreign_key_list({_ident(name)})")
                )
            )
            automatic = tuple(
                sorted(
                    (unique, origin, _index_columns(conn, index))
                    for _seq, index, unique, origin, _partial in conn.execute(
                        f"PRAGMA index_list({_ident(name)})"
                    )
                    if origin != "c"
                )
            )
            schema[("table", name)] = (columns, keys, automatic)
        elif kind == "index":
            unique = sql is not None and _squash(sql).upper().startswith("CREATE UNIQUE")
            where = _squash(sql).partition(" WHERE ")[2] if sql else ""
            schema[("index", name)] = (table, unique, _index_columns(conn, name), where)
        else:  # trigger, view
            schema[(kind, name)] = (table, _squash(sql))
    return schema


def _index_columns(conn: sqlite3.Connection, index: str) -> tuple:
    return tuple(
        (r[2], r[3], r[4])  # column, sort order, collation
        for r in conn.execute(f"PRAGMA index_xinfo({_ident(index)})")
        if r[5]  # key columns only
    )


_KIND_ORDER = ("table", "virtual table", "view", "trigger", "index")


def schema_differences(candidate: Schema, reference: Schema) -> list[str]:
    """What the candidate lacks, adds or defines otherwise; tables first."""
    found: list[tuple[int, str, str]] = []
    for key in candidate.keys() | reference.keys():
        kind, name = key
        if key not in candidate:
            text = f"missing {kind} {name}"
        elif key not in reference:
            text = f"unexpected {kind} {name}"
        elif candidate[key] == reference[key]:
            continue
        elif kind == "table":
            have = {c[0] for c in candidate[key][0]}  # type: ignore[index]
            want = {c[0] for c in reference[key][0]}  # type: ignore[index]
            parts = []
            if want - have:
                parts.append(f"missing columns {', '.join(sorted(want - have))}")
            if have - want:
                parts.append(f"unexpected columns {', '.join(sorted(have - want))}")
            text = f"table {name} differs ({'; '.join(parts) or 'column types, keys or indexes'})"
        else:
            text = f"{kind} {name} differs"
        found.append((_KIND_ORDER.index(kind) if kind in _KIND_ORDER else 9, name, text))
    return [text for _rank, _name, text in sorted(found)]


@contextlib.contextmanager
def _quiet_migrations() -> Iterator[None]:
    """Alembic announces every step it runs; building a scratch copy is not news."""
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


def _scratch_app(app: Flask, database: Path) -> Flask:
    """This app's configuration on another SQLite file (the factory's full set-up)."""
    from app import create_app  # the one factory; imported late, only for these checks
    from bantin.checks import building_scratch_app

    with building_scratch_app():
        return create_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})


def reference_schema(revision: str, app: Flask | None = None) -> Schema:
    """The schema Bantin's migrations make at ``revision``, built once in a scratch file."""
    from flask_migrate import upgrade

    app = app or current_app
    directory = str(app.extensions["migrate"].directory)
    key = (directory, revision)
    if key not in _REFERENCE_SCHEMAS:
        with tempfile.TemporaryDirectory(prefix="bantin-reference-") as scratch:
            path = Path(scratch) / "reference.db"
            built = _scratch_app(app, path)
            with built.app_context(), _quiet_migrations():
                try:
                    upgrade(directory=directory, revision=revision)
                finally:
                    db.session.remove()
                    db.engine.dispose()
            conn = _connect(path)
            try:
                _REFERENCE_SCHEMAS[key] = database_schema(conn)
            finally:
                conn.close()
    return _REFERENCE_SCHEMAS[key]


def check_schema(path: Path, revision: str, app: Flask | None = None, name: object = None) -> None:
    """Refuse a file whose schema is not exactly what the migrations make at its version
    (``name``: how the operator calls the file, in the message)."""
    conn = _connect(path)
    try:
        candidate = database_schema(conn)
    finally:
        conn.close()
    differences = schema_differences(candidate, reference_schema(revision, app))
    if differences:
        shown = "; ".join(differences[:8]) + ("; …" if len(differences) > 8 else "")
        raise BackupError(
            f"{name or path} is not a Bantin database as its migrations make it at schema "
            f"{revision} "
            f"({len(differences)} difference(s): {shown})."
        )


# Pages every reader meets; each must answer 200 on the candidate before it goes live.
SMOKE_PAGES = ("/", "/feed.xml", "/sitemap.xml", "/search?q=tin")


def smoke_test(path: Path, revision: str, app: Flask | None = None, name: object = None) -> None:
    """Serve the reader pages (home, a category, the newest article, feeds, search) and read
    the settings from a scratch copy of ``path``, upgraded first if its schema is older."""
    from flask_migrate import upgrade

    from bantin.models import Article, Category, SiteSettings

    app = app or current_app
    heads, _known = schema_revisions(app)
    with tempfile.TemporaryDirectory(prefix=".bantin-smoke-", dir=path.parent) as scratch:
        copy = Path(scratch) / DB_MEMBER
        _copy_database(path, copy)
        scratch_app = _scratch_app(app, copy)
        with scratch_app.app_context():
            step = f"upgrading schema {revision} to {', '.join(sorted(heads))}"
            try:
                if revision not in heads:
                    with _quiet_migrations():
                        upgrade(directory=str(app.extensions["migrate"].directory))
                step = "reading the site settings"
                SiteSettings.get().site_name  # noqa: B018  (loads every column)
                step = "finding the newest article and a category"
                pages = list(SMOKE_PAGES)
                article = db.session.scalars(
                    sa.select(Article)
                    .where(Article.visible_clause())
                    .order_by(Article.published_at.desc())
                    .limit(1)
                ).first()
                if article is not None:
                    pages.append(f"/article/{article.id}/{article.slug}")
                category = db.session.scalars(sa.select(Category).limit(1)).first()
                if category is not None:
                    pages.append(f"/category/{category.slug}")
                db.session.remove()
                client = scratch_app.test_client()
                for page in pages:
                    step = f"GET {page}"
                    with client.get(page, follow_redirects=True) as response:
                        if response.status_code != 200:
                            raise BackupError(
                                f"{name or path} does not work with this Bantin: {step} answered "
                                f"{response.status_code}."
                            )
            except BackupError:
                raise
            except Exception as exc:
                raise BackupError(
                    f"{name or path} does not work with this Bantin: {step} failed "
                    f"({type(exc).__name__}: {exc})."
                ) from exc
            finally:
                db.session.remove()
                db.engine.dispose()


# ---------------------------------------------------------------- backup


def _copy_database(source: Path, target: Path) -> None:
    """A consistent snapshot of ``source`` as a self-contained (non-WAL) file ``target``."""
    src = _connect(source)
    dst = _connect(target)
    try:
        # One step (pages=-1) holds a single read transaction: a snapshot of one moment.
        # In WAL mode the site's writers are not blocked while it runs.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _private(path: Path) -> None:
    """Backups hold every password hash and commenter's address: owner-only, whatever
    the umask (the file is made private before it gets its final name)."""
    os.chmod(path, 0o600)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _target_for(dest: Path, with_uploads: bool) -> Path:
    if dest.is_dir():
        suffix = ".tar.gz" if with_uploads else ".db"
        return dest / f"{BACKUP_PREFIX}{_timestamp()}{suffix}"
    is_tar = dest.name.endswith((".tar.gz", ".tgz"))
    if with_uploads and not is_tar:
        raise BackupError("With --with-uploads the destination must end in .tar.gz.")
    if not with_uploads and is_tar:
        raise BackupError("A .tar.gz destination needs --with-uploads.")
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist.")
    return dest


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups this command wrote into ``folder``."""
    backups = sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file()
            and p.name.startswith(BACKUP_PREFIX)
            and p.name.endswith((".db", ".tar.gz"))
        ),
        key=lambda p: p.name,  # the names carry a sortable timestamp
        reverse=True,
    )
    removed = backups[keep:]
    for path in removed:
        path.unlink()
    return removed


def backup(dest: Path, with_uploads: bool = False, app: Flask | None = None) -> DatabaseInfo:
    """Write a checked backup to ``dest`` (a file, or a folder for a timestamped name)."""
    app = app or current_app
    source = database_path(app)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    target = _target_for(dest, with_uploads)
    if target.resolve() == source.resolve():
        raise BackupError("The destination is the live database itself.")
    workdir = Path(tempfile.mkdtemp(prefix=".bantin-backup-", dir=target.parent))
    try:
        snapshot = workdir / DB_MEMBER
        _copy_database(source, snapshot)
        info = inspect_database(snapshot, app)
        if with_uploads:
            archive = workdir / "backup.tar.gz"
            uploads = Path(app.config["UPLOAD_FOLDER"])
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(snapshot, arcname=DB_MEMBER)
                if uploads.is_dir():
                    tar.add(uploads, arcname=UPLOADS_MEMBER)
            produced = archive
        else:
            produced = snapshot
        _private(produced)
        _fsync(produced)
        os.replace(produced, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    info.path = target
    return info


# ---------------------------------------------------------------- restore


def _extract_database(archive: Path, workdir: Path) -> tuple[Path, bool]:
    """Pull bantin.db out of a backup archive; report whether it holds uploads."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            names = {m.name for m in members}
            if DB_MEMBER not in names:
                raise BackupError(f"{archive} holds no {DB_MEMBER}: not a Bantin backup.")
            member = tar.getmember(DB_MEMBER)
            if not member.isfile():
                raise BackupError(f"{archive}: {DB_MEMBER} is not a regular file.")
            tar.extract(member, workdir, filter="data")
            has_uploads = any(
                n == UPLOADS_MEMBER or n.startswith(UPLOADS_MEMBER + "/") for n in names
            )
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} is a damaged archive: {exc}.") from exc
    return workdir / DB_MEMBER, has_uploads


def _check_uploads(archive: Path, folder: Path) -> None:
    """Refuse the whole archive up front if any upload would land outside the folder."""
    prefix = UPLOADS_MEMBER + "/"
    with tarfile.open(archive, "r:*") as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix):
                continue
            if not (member.isfile() or member.isdir()):
                raise BackupError(f"{archive}: {member.name} is not a plain file.")
            renamed = member.replace(name=member.name.removeprefix(prefix), deep=False)
            try:
                tarfile.data_filter(renamed, str(folder))
            except tarfile.FilterError as exc:
                raise BackupError(f"{archive}: unsafe path {member.name!r} ({exc}).") from exc


def _extract_uploads(archive: Path, folder: Path) -> int:
    """Add the archive's uploads to the upload folder (names are random: nothing clashes)."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    prefix = UPLOADS_MEMBER + "/"
    with tarfile.open(archive, "r:*") as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
                continue
            member.name = member.name.removeprefix(prefix)
            # The "data" filter refuses absolute paths, "..", links out of the folder, devices.
            tar.extract(member, folder, filter="data")
            count += member.isfile()
    return count


def _set_aside(live: Path) -> Path:
    """A consistent copy of the live database (with whatever its WAL holds), kept beside it."""
    aside = live.with_name(f"{live.name}.before-restore-{_timestamp()}")
    n = 1
    while aside.exists():
        n += 1
        aside = live.with_name(f"{live.name}.before-restore-{_timestamp()}-{n}")
    # Created empty and private first: the copy is never readable by others, even briefly.
    os.close(os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _copy_database(live, aside)
    return aside


def _content_version(path: Path) -> int:
    conn = _connect(path)
    try:
        row = conn.execute("SELECT version FROM content_state WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        return 0  # an old schema without the table
    finally:
        conn.close()
    return int(row[0]) if row and row[0] is not None else 0


def _advance_content_version(candidate: Path, live: Path) -> None:
    """Past both the live and the backup's version: running workers drop what they cached
    (a backup's version can equal one they have seen, with other content)."""
    newest = max(_content_version(candidate), _content_version(live) if live.exists() else 0)
    conn = _connect(candidate)
    try:
        with conn:
            conn.execute("UPDATE content_state SET version = ? WHERE id = 1", (newest + 1,))
    except sqlite3.DatabaseError:
        pass  # no content_state table: nothing is cached from it
    finally:
        conn.close()


def _write_into_live(candidate: Path, live: Path) -> None:
    src = _connect(candidate)
    dst = _connect(live)
    try:
        try:
            src.backup(dst)
        except sqlite3.OperationalError:
            # A WAL database cannot take a backup with another page size; leaving WAL
            # needs every other connection closed, which is why the docs say stop first.
            try:
                dst.execute("PRAGMA journal_mode=DELETE")
                src.backup(dst)
            except sqlite3.OperationalError as exc:
                raise BackupError(
                    f"Could not write into {live} ({exc}); stop the site and try again."
                ) from exc
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


@dataclass
class RestoreResult:
    info: DatabaseInfo
    aside: Path | None
    uploads: int
    needs_upgrade: bool


def restore(src: Path, app: Flask | None = None) -> RestoreResult:
    """Check ``src`` (a .db or a .tar.gz from ``backup``) and make it the live database."""
    app = app or current_app
    live = database_path(app)
    if not src.is_file():
        raise BackupError(f"{src} does not exist or is not a file.")
    if live.exists() and src.resolve() == live.resolve():
        raise BackupError("The source is the live database itself.")
    live.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".bantin-restore-", dir=live.parent))
    try:
        is_archive = tarfile.is_tarfile(src)
        if is_archive:
            candidate, has_uploads = _extract_database(src, workdir)
        else:
            # Check a private copy: opening the operator's file could change it.
            candidate, has_uploads = workdir / DB_MEMBER, False
            shutil.copyfile(src, candidate)
            wal = src.with_name(src.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, candidate.with_name(DB_MEMBER + "-wal"))
        info = inspect_database(candidate, app)
        check_schema(candidate, info.revision, app, name=src)
        smoke_test(candidate, info.revision, app, name=src)
        uploads_folder = Path(app.config["UPLOAD_FOLDER"])
        if has_uploads:
            _check_uploads(src, uploads_folder)
        aside = _set_aside(live) if live.exists() else None
        _advance_content_version(candidate, live)
        _write_into_live(candidate, live)
        uploads = 0
        if has_uploads:
            uploads = _extract_uploads(src, uploads_folder)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    heads, _known = schema_revisions(app)
    info.path = live
    return RestoreResult(info, aside, uploads, info.revision not in heads)


# ---------------------------------------------------------------- commands


# ---------------------------------------------------------------- PostgreSQL


def _is_postgresql(app: Flask | None = None) -> bool:
    app = app or current_app
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.get_backend_name() == "postgresql"


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    import glob

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise BackupError(f"{name} was not found: install PostgreSQL's client programs.")


def _libpq(app: Flask | None = None) -> tuple[str, dict[str, str]]:
    """The libpq address of the configured database and an environment with its password
    (kept off the command line, where `ps` would show it)."""
    app = app or current_app
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run_pg(args: list[str], env: dict[str, str]) -> None:
    import subprocess

    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {detail[-1] if detail else '?'}")


def pg_backup(dest: Path, app: Flask | None = None) -> Path:
    """``pg_dump -Fc`` of the configured PostgreSQL database into DEST (a file, or a folder
    for a timestamped name), then ``pg_restore --list`` to check it reads back."""
    address, env = _libpq(app)
    target = dest / f"{BACKUP_PREFIX}{_timestamp()}.dump" if dest.is_dir() else dest
    partial = target.with_name(f".{target.name}.partial")
    try:
        _run_pg([_pg_program("pg_dump"), "-Fc", "--no-owner", "-f", str(partial), address], env)
        _run_pg([_pg_program("pg_restore"), "--list", str(partial)], env)
        _private(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def pg_restore(src: Path, app: Flask | None = None) -> None:
    """``pg_restore`` a ``pg_dump -Fc`` file into the configured database, which must be
    empty; in one transaction, so a failure leaves it empty."""
    app = app or current_app
    if not src.is_file():
        raise BackupError(f"{src} is not a file.")
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                    "('pg_catalog', 'information_schema')"
                )
            ).scalar()
    finally:
        engine.dispose()
    address, env = _libpq(app)
    if tables:
        raise BackupError(
            "the database is not empty. Create an empty one (createdb NAME), point "
            "SQLALCHEMY_DATABASE_URI at it and restore again; or replace this one yourself: "
            f"pg_restore --clean --if-exists --no-owner -d {address} {src}"
        )
    _run_pg([_pg_program("pg_restore"), "--list", str(src)], env)
    _run_pg(
        [
            _pg_program("pg_restore"),
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            address,
            str(src),
        ],
        env,
    )


def _pg_backup_command(dest: Path, with_uploads: bool) -> None:
    if with_uploads:
        raise click.ClickException(
            "--with-uploads is for SQLite sites; on PostgreSQL back up the uploads folder "
            f"({current_app.config['UPLOAD_FOLDER']}) with tar or rsync."
        )
    try:
        path = pg_backup(dest)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes, pg_dump -Fc).")


def _pg_restore_command(src: Path) -> None:
    try:
        pg_restore(src)
    except BackupError as exc:
        raise click.ClickException(f"Restore refused: {exc}") from exc
    click.echo(f"Restored {src} into the configured PostgreSQL database.")
    click.echo("Run `flask --app app db upgrade` if the backup is older, then restart the site.")


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--with-uploads", is_flag=True, help="Write a .tar.gz with the uploads too.")
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="When DEST is a folder: keep only this many newest backups there.",
)
@with_appcontext
def backup_command(dest: Path, with_uploads: bool, keep: int | None) -> None:
    """Write a consistent backup of the live database (safe while the site runs)."""
    if _is_postgresql():
        _pg_backup_command(dest, with_uploads)
        return
    try:
        info = backup(dest, with_uploads)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backup written to {info.path} ({info.path.stat().st_size} bytes, schema "
        f"{info.revision}, {info.articles} articles, {info.comments} comments)."
    )
    if keep and dest.is_dir():
        for path in rotate(dest, keep):
            click.echo(f"Removed old backup {path}.")


@click.command("restore")
@click.argument("src", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(src: Path) -> None:
    """Check a backup, then make it the live database (the old one is kept aside)."""
    if _is_postgresql():
        _pg_restore_command(src)
        return
    try:
        result = restore(src)
    except BackupError as exc:
        raise click.ClickException(f"Restore refused: {exc}") from exc
    if result.aside:
        click.echo(f"The previous database was kept as {result.aside}.")
    click.echo(
        f"Restored {src} into {result.info.path} (schema {result.info.revision}, "
        f"{result.info.articles} articles, {result.info.comments} comments"
        + (f", {result.uploads} uploaded files" if result.uploads else "")
        + ")."
    )
    if result.needs_upgrade:
        click.echo("The backup has an older schema: run `flask --app app db upgrade` now.")
    click.echo("Now start (or restart) the site: systemctl restart bantin.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
