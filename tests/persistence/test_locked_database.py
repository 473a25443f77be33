"""A SQLite database locked by another connection: clear errors, nothing lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.database import create_engine, make_sessionmaker
from station.persistence.errors import DatabaseUnavailableError
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEvent, InfusionEventKind
from station.persistence.people import ActorKind
from station.persistence.schema import downgrade_engine, open_database, upgrade_engine
from station.persistence.telemetry import TelemetrySample
from station.persistence.telemetry_reader import load_series
from station.persistence.telemetry_writer import TelemetryWriter
from tests.persistence.conftest import sqlite_url
from tests.persistence.factories import T0, Seed, seed_records


@dataclass
class LockableDb:
    """A migrated, seeded SQLite file; ``other`` is a second connection that can lock it."""

    url: str
    other: sqlite3.Connection
    engine: Engine
    sessions: sessionmaker[Session]
    seed: Seed


@pytest.fixture
def db(tmp_path: Path) -> Iterator[LockableDb]:
    url = sqlite_url(tmp_path)
    # A short busy timeout: the lock is never released while we wait.
    engine = create_engine(url, busy_timeout_ms=100)
    upgrade_engine(engine)
    sessions = make_sessionmaker(engine)
    other = sqlite3.connect(tmp_path / "station.sqlite", isolation_level=None)
    yield LockableDb(url, other, engine, sessions, seed_records(sessions))
    other.close()
    engine.dispose()


def _event(pump_id: int) -> InfusionEvent:
    return InfusionEvent(
        kind=InfusionEventKind.COUNTERS_CLEARED,
        pump_id=pump_id,
        occurred_at=T0,
        actor_kind=ActorKind.STATION,
    )


def test_append_to_a_locked_database_is_a_clear_error_and_keeps_records(db: LockableDb) -> None:
    store = EventStore(db.sessions)
    first = store.append(_event(db.seed.pump_id))

    db.other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(DatabaseUnavailableError, match="locked by another program"):
        store.append(_event(db.seed.pump_id))
    db.other.execute("ROLLBACK")

    second = store.append(_event(db.seed.pump_id))
    assert [e.id for e in store.for_pump(db.seed.pump_id)] == [first, second]


def test_locked_database_refuses_a_migration_and_keeps_the_schema(db: LockableDb) -> None:
    db.other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailableError, match=r"cannot migrate.*locked"):
            downgrade_engine(db.engine, "base")
    finally:
        db.other.execute("ROLLBACK")
    tables = set(sa.inspect(db.engine).get_table_names())
    assert "infusion_events" in tables and "alembic_version" in tables


def test_start_up_on_a_locked_new_database_is_a_clear_error(tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "station.sqlite", isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailableError, match="locked"):
            open_database(sqlite_url(tmp_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    engine = open_database(sqlite_url(tmp_path))  # once released, start-up works
    engine.dispose()


def test_telemetry_on_a_locked_database_stays_buffered_and_retries_a_lag_later(
    db: LockableDb,
) -> None:
    now = [0.0]
    writer = TelemetryWriter(db.sessions, clock=lambda: now[0], chunk_samples=4)
    infusion = db.seed.infusion_id
    for second in range(5):
        writer.add(TelemetrySample(infusion, T0 + timedelta(seconds=second), 1.0, 1.0))

    db.other.execute("BEGIN EXCLUSIVE")
    now[0] = 1.0
    with pytest.raises(DatabaseUnavailableError, match="cannot store telemetry"):
        writer.add(TelemetrySample(infusion, T0 + timedelta(seconds=5), 1.0, 1.0))
    # The next attempt waits one lag period instead of blocking every add.
    assert writer.flush_if_due() is False
    db.other.execute("ROLLBACK")
    assert writer.pending == 6

    now[0] = 2.0
    assert writer.flush_if_due() is True
    assert len(load_series(db.sessions, infusion)) == 6
