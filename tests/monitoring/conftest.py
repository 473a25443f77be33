"""Monitoring fixtures: a migrated SQLite file (or PostgreSQL), the simulator, a service."""

from __future__ import annotations

import queue
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, LinkState, SessionTiming
from devices.driver import Sample as DriverSample
from station.alarms import AlarmTransition, TransitionKind
from station.monitoring import (
    STATION,
    ChairUpdate,
    MonitoringService,
    MonitorSettings,
    PumpEndpoint,
)
from station.persistence import create_engine, make_sessionmaker
from station.persistence.schema import upgrade_engine
from tests.persistence.conftest import pg_schema_url  # noqa: F401 - a fixture used here
from tests.support.simulator_process import SimulatorProcess

SPEED = 10.0
# Ten samples per simulated second at --speed 10: one per second of pump time.
FAST = MonitorSettings(
    driver=DriverConfig(poll_interval_s=0.1, link_timeout_s=1.5,
                        timing=SessionTiming(reply_timeout_s=0.3, retries=1),
                        backoff_initial_s=0.05, backoff_max_s=0.5),
    detection_time_scale=SPEED,
)


def migrated(url: str) -> Engine:
    engine = create_engine(url)
    upgrade_engine(engine)
    return engine


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'station.sqlite'}"


@pytest.fixture
def sessions(sqlite_file: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated SQLite file."""
    engine = migrated(sqlite_file)
    yield make_sessionmaker(engine)
    engine.dispose()


@dataclass
class LockableFile:
    """A migrated SQLite file whose engine gives up quickly on a lock, and another
    program's connection to it that can hold that lock (`BEGIN EXCLUSIVE`)."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    other: sqlite3.Connection


@pytest.fixture
def lockable_file(tmp_path: Path) -> Iterator[LockableFile]:
    path = tmp_path / "station.sqlite"
    engine = create_engine(f"sqlite:///{path}", busy_timeout_ms=50)
    upgrade_engine(engine)
    other = sqlite3.connect(path, isolation_level=None)
    yield LockableFile(path, engine, make_sessionmaker(engine), other)
    other.close()
    engine.dispose()


@dataclass
class Watched:
    """A running service and every update it published, in order."""

    service: MonitoringService
    updates: queue.Queue[tuple[float, ChairUpdate]] = field(default_factory=queue.Queue)
    seen: list[ChairUpdate] = field(default_factory=list)

    def receive(self, update: ChairUpdate) -> None:
        self.updates.put((time.monotonic(), update))

    def next_update(self, match: Callable[[ChairUpdate], bool],
                    timeout_s: float = 20.0) -> tuple[float, ChairUpdate]:
        """The next update that matches, with the monotonic time it was published."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, update = self.updates.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(update)
            if match(update):
                return at, update
        raise TimeoutError(f"no matching update in {timeout_s} s; last: {self.seen[-3:]}")

    def transition(self, condition: str, kind: TransitionKind = TransitionKind.RAISED,
                   timeout_s: float = 20.0) -> tuple[float, AlarmTransition, ChairUpdate]:
        """Wait for an alarm transition; with the publication time and its update."""
        def matches(update: ChairUpdate) -> bool:
            return any(t.condition == condition and t.kind is kind for t in update.transitions)
        at, update = self.next_update(matches, timeout_s)
        found = next(t for t in update.transitions
                     if t.condition == condition and t.kind is kind)
        return at, found, update

    def link(self, state: LinkState, timeout_s: float = 20.0) -> ChairUpdate:
        """A chair's link (the station's own snapshot is always "up")."""
        return self.next_update(lambda u: u.snapshot.chair_id != STATION
                                and u.snapshot.link_state is state, timeout_s)[1]

    def samples(self, count: int, timeout_s: float = 30.0) -> list[DriverSample]:
        """Wait for `count` more samples (I/O: the pump's replies)."""
        got: list[DriverSample] = []
        while len(got) < count:
            _, update = self.next_update(lambda u: isinstance(u.event, DriverSample), timeout_s)
            assert isinstance(update.event, DriverSample)
            got.append(update.event)
        return got


@pytest.fixture
def simulator() -> Iterator[Callable[..., SimulatorProcess]]:
    """Start simulators: `simulator(speed=10, extra_args=(...))`; stopped after the test."""
    started: list[SimulatorProcess] = []

    def start(**kwargs: Any) -> SimulatorProcess:
        sim = SimulatorProcess(**kwargs)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        if sim.returncode is None:
            sim.stop()


@pytest.fixture
def watch() -> Iterator[Callable[..., Watched]]:
    """Start a service on ports: `watch(sessions, [PumpEndpoint(...)], settings)`; other
    keywords (`clock`, `schedule`) go to the `MonitoringService`."""
    running: list[MonitoringService] = []

    def start(sessions: sessionmaker[Session], endpoints: list[PumpEndpoint],
              settings: MonitorSettings = FAST, **service_args: Any) -> Watched:
        service = MonitoringService(endpoints, sessions, settings=settings, **service_args)
        watched = Watched(service)
        service.subscribe(watched.receive)
        service.start()
        running.append(service)
        return watched

    yield start
    for service in running:
        service.stop()
