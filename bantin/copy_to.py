"""`flask copy-to DATABASE_URL`: move a whole site from its SQLite file into an empty
PostgreSQL database, in one command.

The target is migrated to the head first (Alembic, as `db upgrade` would), then every table
the models describe is copied in dependency order inside one transaction: row counts are
compared per table before the commit, so the target ends complete or as empty as it was.
Rows are streamed from SQLite and inserted in batches (``--batch-size``, 2,000 by default),
so memory stays flat whatever the size of the site.
The search index is not copied: it is rebuilt from the copied rows. Uploads stay where
they are (UPLOAD_FOLDER).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import click
import sqlalchemy as sa
from flask import Flask, current_app

from bantin.extensions import db

BATCH = 2000
# Rows the migrations themselves create in an empty database; the copy replaces them.
SEEDED = frozenset({"site_settings", "content_state"})


class CopyError(Exception):
    """A refusal or failure explained in one sentence for the operator."""


def _target_app(app: Flask, url: str) -> Flask:
    """This app's configuration on the target database (the factory's full set-up)."""
    from app import create_app  # the one factory; imported late, only for the copy
    from bantin.checks import building_scratch_app

    config = {**app.config, "SQLALCHEMY_DATABASE_URI": url}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}  # the defaults
    with building_scratch_app():
        return create_app(config)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    import logging

    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        logger.setLevel(level)


def _tables() -> list[sa.Table]:
    """Every table the models describe, parents before children."""
    return list(db.metadata.sorted_tables)


def _refuse_non_empty(conn: sa.Connection) -> None:
    inspector = sa.inspect(conn)
    names = set(inspector.get_table_names())
    for table in _tables():
        if table.name not in names or table.name in SEEDED:
            continue
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            raise CopyError(
                f"the target is not empty ({table.name} has rows): copy-to only fills an "
                "empty database. Create one (createdb NAME) and try again."
            )


def _self_parents(table: sa.Table) -> list[sa.Column]:
    """Nullable columns pointing at the table's own single-column primary key (a page's
    parent, the document a document replaces, a menu item's parent)."""
    key = list(table.primary_key.columns)
    return [
        fk.parent
        for fk in table.foreign_keys
        if fk.column.table is table and key == [fk.column] and fk.parent.nullable
    ]


def _batches(
    source: sa.Connection, table: sa.Table, size: int
) -> Iterator[tuple[list[dict], list[dict]]]:
    """The table's rows by primary key, ``size`` at a time, read as they are inserted (the
    driver's cursor is iterated, never fetched whole). A row whose parent in the same table
    comes later by key goes in with that parent left empty, and is returned apart: the
    caller sets the parent once the whole table is in (the target checks foreign keys row
    by row). Each batch: (rows to insert, their parents to set afterwards)."""
    order = list(table.primary_key.columns) or list(table.columns)
    parents = _self_parents(table)
    key = order[0].name
    result = source.execution_options(yield_per=size).execute(sa.select(table).order_by(*order))
    for partition in result.partitions(size):
        rows, later = [], []
        for r in partition:
            row = dict(r._mapping)
            ahead = {
                c.name: row[c.name]
                for c in parents
                if row[c.name] is not None and row[c.name] > row[key]
            }
            if ahead:
                later.append({"_key": row[key], **ahead})
                row.update(dict.fromkeys(ahead))
            rows.append(row)
        yield rows, later


def _set_parents(target: sa.Connection, table: sa.Table, later: list[dict], size: int) -> None:
    """The parents held back by _batches, once every row of the table is in."""
    key = next(iter(table.primary_key.columns))
    for name in dict.fromkeys(k for row in later for k in row if k != "_key"):
        pending = [{"_key": row["_key"], "_value": row[name]} for row in later if name in row]
        stmt = (
            table.update().where(key == sa.bindparam("_key")).values({name: sa.bindparam("_value")})
        )
        for start in range(0, len(pending), size):
            target.execute(stmt, pending[start : start + size])


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _reset_sequence(conn: sa.Connection, table: sa.Table) -> None:
    """Let the target's next id follow the copied ones (PostgreSQL serial columns)."""
    if conn.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if not isinstance(column.type, sa.Integer):
            continue
        sequence = conn.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": conn.dialect.identifier_preparer.quote(table.name), "column": column.name},
        ).scalar()
        if sequence:
            name = conn.dialect.identifier_preparer.format_table(table)
            conn.execute(
                sa.text(
                    f"SELECT setval(:seq, COALESCE((SELECT MAX({column.name}) FROM {name}), 1),"
                    f" (SELECT COUNT(*) FROM {name}) > 0)"
                ),
                {"seq": sequence},
            )


def copy_to(
    url: str, app: Flask | None = None, echo=lambda _m: None, batch: int = BATCH
) -> dict[str, int]:
    """Copy every table of this site into the database at ``url``, ``batch`` rows per
    insert; returns rows per table."""
    from flask_migrate import upgrade

    app = app or current_app
    source_url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    target_url = sa.engine.make_url(url)
    if target_url.get_backend_name() == "sqlite":
        raise CopyError("copy-to moves a site to PostgreSQL: give a postgresql+psycopg:// URL.")
    if source_url.get_backend_name() != "sqlite":
        raise CopyError("copy-to copies a SQLite site: this site is not on SQLite.")
    target_app = _target_app(app, url)
    with target_app.app_context():
        engine = db.engine
        try:
            with engine.connect() as conn:
                _refuse_non_empty(conn)
        except sa.exc.OperationalError as exc:
            raise CopyError(f"cannot reach {target_url!r}: {exc.orig}") from exc
        echo("Migrating the target to the current schema…")
        with _quiet():
            upgrade()
        db.session.remove()
    source_version = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    with target_app.app_context():
        target_version = db.session.execute(
            sa.text("SELECT version_num FROM alembic_version")
        ).scalar()
        db.session.remove()
    if source_version != target_version:
        raise CopyError(
            f"this site's schema is {source_version}, the code's is {target_version}: run "
            "`flask --app app db upgrade` here first."
        )
    counts: dict[str, int] = {}
    source = db.session.connection()
    with target_app.app_context():
        with db.engine.begin() as target:
            _refuse_non_empty(target)
            tables = _tables()
            for table in reversed(tables):
                if table.name in SEEDED:
                    target.execute(table.delete())
            for table in tables:
                read, later = 0, []
                for rows, held in _batches(source, table, batch):
                    target.execute(table.insert(), rows)
                    read += len(rows)
                    later += held
                _set_parents(target, table, later, batch)
                in_source, copied = _count(source, table), _count(target, table)
                if not in_source == read == copied:
                    raise CopyError(
                        f"{table.name}: {in_source} rows in this site, {read} read, "
                        f"{copied} in the target"
                    )
                _reset_sequence(target, table)
                counts[table.name] = read
                echo(f"  {table.name}: {read} rows")
        db.engine.dispose()
    return counts


def rebuild_search(url: str, app: Flask | None = None) -> str:
    """Rebuild the target's search index; a sentence saying what was done or what to run."""
    app = app or current_app
    target_app = _target_app(app, url)
    with target_app.app_context():
        try:
            from bantin import cache
            from bantin.search import portal, reindex

            articles = reindex()
            others = portal.reindex()
            cache.bump()
            db.session.commit()
        except Exception as exc:  # search on the target is another module's concern
            db.session.rollback()
            return (
                f"The search index was not rebuilt ({type(exc).__name__}): run "
                "`flask --app app search reindex` with the new SQLALCHEMY_DATABASE_URI."
            )
        finally:
            db.session.remove()
            db.engine.dispose()
    return f"Search index rebuilt: {articles} articles, {others} documents and pages."


@click.command("copy-to")
@click.argument("database_url")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=BATCH,
    show_default=True,
    help="Rows read and inserted at a time.",
)
def copy_to_command(database_url: str, batch_size: int) -> None:
    """Copy this SQLite site into an empty PostgreSQL database (then switch the URL)."""
    try:
        counts = copy_to(database_url, echo=click.echo, batch=batch_size)
    except CopyError as exc:
        raise click.ClickException(f"Copy refused: {exc}") from exc
    total = sum(counts.values())
    click.echo(f"Copied {total} rows in {len(counts)} tables; every count matches.")
    click.echo(rebuild_search(database_url))
    click.echo(
        "Now set SQLALCHEMY_DATABASE_URI to the new database (instance/config.py or "
        "BANTIN_SQLALCHEMY_DATABASE_URI) and restart the site. Uploads stay in "
        f"{current_app.config['UPLOAD_FOLDER']}."
    )
