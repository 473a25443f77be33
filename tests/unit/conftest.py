"""Unit fixtures: a migrated database on each backend, a manual UTC clock, changes heard."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import create_engine, make_sessionmaker
from station.persistence.schema import upgrade_engine
from station.unit.changes import ChangeSource
from station.unit.sources import change_source
from tests.persistence.conftest import db_url, pg_schema_url  # noqa: F401 - fixtures

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@dataclass
class ManualUtc:
    """A UTC clock the test moves."""

    now: datetime = NOON

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def utc() -> ManualUtc:
    return ManualUtc()


@pytest.fixture
def unit_engine(db_url: str) -> Iterator[Engine]:  # noqa: F811 - the imported fixture
    engine = create_engine(db_url)
    upgrade_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def unit_sessions(unit_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(unit_engine)


class Heard:
    """Payloads a change source delivered, in order."""

    def __init__(self, source: ChangeSource) -> None:
        self.payloads: queue.Queue[str] = queue.Queue()
        source.subscribe(self.payloads.put)

    def until(self, payload: str, timeout_s: float = 10.0) -> list[str]:
        """Everything heard up to and including `payload` (TimeoutError if never)."""
        seen: list[str] = []
        while True:
            try:
                got = self.payloads.get(timeout=timeout_s)
            except queue.Empty:
                raise TimeoutError(f"{payload!r} not heard; heard {seen}") from None
            seen.append(got)
            if got == payload:
                return seen


@pytest.fixture
def heard(unit_engine: Engine, db_url: str) -> Iterator[Heard]:  # noqa: F811
    source = change_source(unit_engine, db_url)
    listener = Heard(source)
    source.start()
    listener.until("*")
    yield listener
    source.stop()
