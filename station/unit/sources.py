"""The change source for a database: LISTEN on PostgreSQL, the in-process hub on SQLite."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from station.unit.changes import ChangeSource
from station.unit.pg_changes import PgChangeListener
from station.unit.sqlite_changes import sqlite_changes


def change_source(engine: Engine, url: str) -> ChangeSource:
    """The change source for `engine`'s database (`url`: the same, with password)."""
    if engine.dialect.name == "postgresql":
        return PgChangeListener.for_engine(engine, url)
    return sqlite_changes(engine)
