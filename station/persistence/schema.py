"""Schema migrations (Alembic) run programmatically: no alembic.ini at run time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from station.persistence.database import check_connection, create_engine, resolve_url
from station.persistence.errors import SchemaVersionError, StorageError, storage_errors
from station.persistence.sqlite_engine import WRITE_OPTION

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any fixed number: PostgreSQL advisory lock held while migrating, so that two
# workstations starting together migrate one after the other.
_MIGRATION_LOCK_KEY = 0x1F5_0001


@contextmanager
def _migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction for the whole migration, one migrator at a time.

    SQLite: BEGIN IMMEDIATE takes the write lock. PostgreSQL: an advisory lock,
    so two workstations starting together migrate one after the other.

    SQLite batch migrations copy a table, drop it and rename the copy; with foreign
    keys enforced the drop fails while other rows reference it. As SQLite's manual
    prescribes, enforcement is off for the migration (it cannot change inside a
    transaction), every key is checked before the commit, and it is on again after.
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(conn, enforce=False)
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": _MIGRATION_LOCK_KEY},
                    )
                yield conn
                if sqlite:
                    _check_sqlite_foreign_keys(conn)
        finally:
            if sqlite:
                _sqlite_foreign_keys(conn, enforce=True)


def _sqlite_foreign_keys(conn: Connection, *, enforce: bool) -> None:
    # On the driver's connection: through SQLAlchemy it would open a transaction first.
    conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if enforce else 'OFF'}"
    )


def _check_sqlite_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise StorageError(f"migration left rows with broken references in {', '.join(tables)}")


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration this version of the station ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise StorageError("no migrations found in the package")
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with storage_errors("cannot read the schema version"), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _check_known_revision(engine: Engine) -> None:
    """Refuse a database migrated by a newer station: its schema is not ours to touch."""
    found = current_revision(engine)
    script = ScriptDirectory.from_config(alembic_config())
    if found is not None and found not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaVersionError(
            f"the database is at schema revision {found!r}, which this version of the "
            f"station does not know (it knows up to {head_revision()!r}): "
            "a newer station has migrated it; update this station"
        )


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` up to ``revision``."""
    _check_known_revision(engine)
    config = alembic_config()
    with storage_errors("cannot migrate the database"), _migration_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade_engine(engine: Engine, revision: str) -> None:
    """Migrate the database behind ``engine`` down to ``revision`` ("base" empties it)."""
    _check_known_revision(engine)
    config = alembic_config()
    with storage_errors("cannot migrate the database"), _migration_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    engine = create_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision``."""
    engine = create_engine(url)
    try:
        downgrade_engine(engine, revision)
    finally:
        engine.dispose()


def upgrade_database(url: str | None = None) -> str:
    """``infusion-station db upgrade [--db URL]``: migrate and say what happened."""
    resolved = resolve_url(url)
    engine = create_engine(resolved)
    try:
        before = current_revision(engine)
        upgrade_engine(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        return f"database {where} is up to date (revision {after})"
    return f"database {where} upgraded from {before or 'empty'} to {after}"


def open_database(url: str | None = None) -> Engine:
    """Start-up: resolve the URL, connect, migrate to head; return the engine.

    Raises :class:`StorageError` subclasses with a message for the user.
    """
    engine = create_engine(resolve_url(url))
    try:
        check_connection(engine)
        upgrade_engine(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
