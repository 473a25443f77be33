"""The SQLite file, its -wal and -shm, are readable only by their owner."""

from __future__ import annotations

import stat
from pathlib import Path

from station.persistence import make_sessionmaker, open_database
from station.persistence.audit_log import AuditLog
from station.persistence.people import ActorKind


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_directory_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "infusion-station" / "station.sqlite"
    engine = open_database(f"sqlite:///{path}")
    try:
        AuditLog(make_sessionmaker(engine)).record("test.write", actor_kind=ActorKind.STATION)
        wal, shm = path.with_name("station.sqlite-wal"), path.with_name("station.sqlite-shm")
        assert wal.exists() and shm.exists()  # WAL mode, a connection still open
        assert [_mode(p) for p in (path, wal, shm)] == [0o600] * 3
        assert _mode(path.parent) == _mode(path.parent.parent) == 0o700
    finally:
        engine.dispose()


def test_an_existing_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite"
    open_database(f"sqlite:///{path}").dispose()
    for file in (path, path.with_name("station.sqlite-wal")):
        file.touch()
        file.chmod(0o644)
    before = _mode(tmp_path)
    engine = open_database(f"sqlite:///{path}")
    try:
        assert _mode(path) == 0o600
        assert _mode(path.with_name("station.sqlite-wal")) == 0o600
        assert _mode(tmp_path) == before  # not ours to change
    finally:
        engine.dispose()
