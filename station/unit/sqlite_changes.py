"""Change notification for SQLite: TEMP triggers on each connection, published on commit.

A SQLite file has no server to notify through, so the overview sees what is written in
its own process (the app with the overview window open beside the chairside station).
Each connection gets the triggers of `change_keys.NOTIFY_TRIGGERS` as TEMP triggers
calling `unit_changed(key)`, which collects keys on the connection; the engine's
commit event sets them aside, a rollback drops them, and they are published when the
connection goes back to the pool: after the commit, so a reader sees the write.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from station.unit.change_keys import NOTIFY_TRIGGERS, RESYNC
from station.unit.changes import ChangeHandler, Subscribers

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_PENDING = "unit_changes_pending"
_COMMITTED = "unit_changes_committed"
_hubs: dict[str, SqliteChangeHub] = {}
_hubs_lock = threading.Lock()


def trigger_statements() -> list[str]:
    """The TEMP triggers, one per table and event."""
    statements = []
    for table, events, args in NOTIFY_TRIGGERS:
        for what in events.split(" OR "):
            row = "OLD" if what == "DELETE" else "NEW"
            pairs = list(zip(args[::2], args[1::2], strict=True))
            cases = " ".join(f"WHEN {row}.{col} IS NOT NULL THEN '{prefix}:' || {row}.{col}"
                             for prefix, col in pairs)
            statements.append(
                f"CREATE TEMP TRIGGER IF NOT EXISTS unit_notify_{table}_{what.lower()} "
                f"AFTER {what} ON main.{table} "
                f"BEGIN SELECT unit_changed(CASE {cases} END); END")
    return statements


class SqliteChangeHub:
    """The subscribers of one SQLite file in this process."""

    def __init__(self) -> None:
        self._subscribers = Subscribers()
        self._engines: list[Engine] = []

    @property
    def listening(self) -> bool:
        return True

    def subscribe(self, handler: ChangeHandler) -> Callable[[], None]:
        return self._subscribers.add(handler)

    def start(self) -> None:
        self._subscribers.emit(RESYNC)

    def stop(self) -> None:
        """Nothing runs: writers publish on their own commit."""

    def attach(self, engine: Engine) -> None:
        if engine in self._engines:
            return
        self._engines.append(engine)
        event.listen(engine, "connect", _install_triggers)
        event.listen(engine, "commit", _committed)
        event.listen(engine, "rollback", _rolled_back)
        event.listen(engine, "checkin", self._checked_in)
        engine.dispose()  # pooled connections were made without the triggers

    def _checked_in(self, _dbapi_conn: Any, record: Any) -> None:
        committed: list[str] | None = record.info.get(_COMMITTED)
        if not committed:
            return
        keys = list(dict.fromkeys(committed))  # once each, in order, as NOTIFY does
        committed.clear()
        for key in keys:
            self._subscribers.emit(key)


def _committed(conn: Connection) -> None:
    # Called just before the commit itself: set the keys aside until the check-in.
    info = conn.connection.info
    pending: list[str] | None = info.get(_PENDING)
    if pending:
        info.setdefault(_COMMITTED, []).extend(pending)
        pending.clear()


def _install_triggers(dbapi_conn: Any, record: Any) -> None:
    pending: list[str] = []
    record.info[_PENDING] = pending

    def changed(key: str | None) -> None:
        if key is not None:
            pending.append(key)

    dbapi_conn.create_function("unit_changed", 1, changed, deterministic=False)
    cursor = dbapi_conn.cursor()
    try:
        for statement in trigger_statements():
            cursor.execute(statement)
    except sqlite3.OperationalError as exc:  # not migrated yet: no tables to watch
        log.debug("no change triggers on this connection: %s", exc)
    finally:
        cursor.close()


def _rolled_back(conn: Connection) -> None:
    pending: list[str] | None = conn.connection.info.get(_PENDING)
    if pending:
        pending.clear()


def sqlite_changes(engine: Engine) -> SqliteChangeHub:
    """The hub of `engine`'s file; writes through `engine` are published to it."""
    database = engine.url.database or ":memory:"
    key = str(Path(database).resolve()) if database != ":memory:" else f"memory:{id(engine)}"
    with _hubs_lock:
        hub = _hubs.setdefault(key, SqliteChangeHub())
    hub.attach(engine)
    return hub
