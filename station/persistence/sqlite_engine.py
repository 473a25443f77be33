"""SQLite engines for the station: WAL, FULL sync, foreign keys, explicit transactions.

The Python driver issues BEGIN on its own and never before DDL, so a migration
would not be one transaction. Here the driver's own handling is off and the
engine issues BEGIN itself: deferred for reads, so readers never block the
writer, and IMMEDIATE for writes, which take the write lock up front. A
deferred transaction that reads and then writes can fail at once with
"database is locked" in WAL mode, without waiting for the busy timeout.

The file holds patient records, so only its owner may read it: the station creates
it (and a directory it has to make) owner-only, tightens an existing file to 0600,
and SQLite gives its -wal and -shm files the database file's permissions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

# Execution option that marks a connection's transactions as writes.
WRITE_OPTION = "station_write"


def _configure_connection(busy_timeout_ms: int) -> Any:
    def configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the engine issues BEGIN (see _begin)
        cursor = dbapi_conn.cursor()
        # WAL lets readers (the UI, reports) run beside the writer; FULL makes each
        # commit reach the disk, so an event reported stored survives a power cut.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return configure


def _begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIRECTORY = 0o700


def make_private(path: Path) -> None:
    """Create the database file owner-only, or tighten it (and its -wal, -shm) to 0600.

    A directory the station has to create is owner-only too; an existing one (say
    ``/tmp``) is left as it is.
    """
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=OWNER_ONLY_DIRECTORY, exist_ok=True)
        directory.chmod(OWNER_ONLY_DIRECTORY)  # mkdir's mode is narrowed by the umask only
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY_FILE))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and stat.S_IMODE(file.stat().st_mode) & 0o077:
            file.chmod(OWNER_ONLY_FILE)


def create_sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    """An engine on a SQLite file, made owner-only (its directory is created if missing)."""
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        make_private(Path(database).expanduser())
    # Parameters stay out of error messages and logs: they hold patients' names.
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000},
                              hide_parameters=True)
    event.listen(engine, "connect", _configure_connection(busy_timeout_ms))
    event.listen(engine, "begin", _begin)
    return engine
