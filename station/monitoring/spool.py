"""The station's local spool: records the database refused, kept on the station's own disk.

While the database is away (server down, file locked, disk full) the monitoring keeps
what it could not write; in memory alone it would be lost when the station is killed.
Each such record is first appended here, in order, with its original times, and removed
only after the database has committed it; a restarted station reads it back and writes
it first (`WriteBacklog.load`).

A small SQLite file, not a JSON-lines file: one statement is one transaction, fsynced
before it returns (`synchronous=FULL`), so a record is either in the file whole or not
at all (no torn last line to repair after a power loss), and removing the oldest entry
or letting a waiting telemetry entry grow is one statement, not a rewrite of the file.
The file is the owner's only (0600): records carry alarm and event texts.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

from station.persistence.database import APP_NAME

_SCHEMA = ("CREATE TABLE IF NOT EXISTS spooled ("
           "seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL)")
_PAGE_BYTES = 4096


class SpoolError(Exception):
    """The spool file cannot be written or read (local disk full, I/O error)."""


def default_spool_path(station: str, database_url: str) -> Path:
    """The spool of this station for this database, in the user's data directory.

    Named after both: two stations on one machine, or one station pointed at another
    database, must never replay each other's records.
    """
    where = make_url(database_url).render_as_string(hide_password=True)
    digest = hashlib.sha256(where.encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", station) or "station"
    return platformdirs.user_data_path(APP_NAME) / "spool" / f"{name}-{digest}.sqlite"


class LocalSpool:
    """An ordered journal of (kind, JSON payload) entries in a local SQLite file.

    Opened on first use (from the monitoring thread); every call may raise `SpoolError`.
    `max_bytes` caps the file (beyond it a write fails as on a full disk).
    """

    def __init__(self, path: Path, *, max_bytes: int | None = None) -> None:
        self.path = path
        self._max_pages = None if max_bytes is None else max(1, max_bytes // _PAGE_BYTES)
        self._db: sqlite3.Connection | None = None

    def append(self, kind: str, payload: str) -> int:
        """Store one entry at the end, durably; its sequence number."""
        cursor = self._run("INSERT INTO spooled (kind, payload) VALUES (?, ?)", kind, payload)
        seq = cursor.lastrowid
        assert seq is not None
        return seq

    def replace(self, seq: int, payload: str) -> None:
        """A waiting entry grows (telemetry samples added to an entry not yet tried)."""
        self._run("UPDATE spooled SET payload = ? WHERE seq = ?", payload, seq)

    def remove(self, seq: int) -> None:
        """The entry's record is committed in the database."""
        self._run("DELETE FROM spooled WHERE seq = ?", seq)

    def entries(self) -> list[tuple[int, str, str]]:
        """Every entry, oldest first: (seq, kind, payload)."""
        return list(self._run("SELECT seq, kind, payload FROM spooled ORDER BY seq"))

    def close(self, *, remove_if_empty: bool = False) -> None:
        """Close the file; `remove_if_empty`: and delete it when nothing is left in it
        (a station that stopped with everything stored leaves no file behind)."""
        if self._db is None:
            return
        try:
            empty = remove_if_empty and self._db.execute(
                "SELECT COUNT(*) FROM spooled").fetchone()[0] == 0
        except sqlite3.Error:
            empty = False
        self._db.close()
        self._db = None
        if empty:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _run(self, sql: str, *args: object) -> sqlite3.Cursor:
        try:
            return self._connection().execute(sql, args)
        except (sqlite3.Error, OSError) as exc:
            raise SpoolError(f"the local spool {self.path} cannot be written: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            # Autocommit: each statement is its own transaction, on disk when it returns.
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.execute(_SCHEMA)
                if self._max_pages is not None:
                    db.execute(f"PRAGMA max_page_count = {self._max_pages}")
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db
