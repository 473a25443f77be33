"""Disk full and a locked database, against the simulator: the technical alarm, monitoring
and alarms going on, and every record written exactly once when the database is back.

"Disk full" is real SQLite: every connection of the engine gets `PRAGMA max_page_count`
at the file's size, so any write that needs a new page fails with SQLITE_FULL ("database
or disk is full"), as on a full disk. "Locked" is another program holding the file with
`BEGIN EXCLUSIVE` past the station's busy timeout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from devices.driver import Sample as DriverSample
from station.alarms import Priority, TransitionKind
from station.monitoring import ChairUpdate
from station.persistence import Records, create_engine, load_series, make_sessionmaker
from station.persistence.alarms import Alarm, AlarmTransition
from station.persistence.events import InfusionEvent
from station.persistence.schema import upgrade_engine
from station.persistence.telemetry import to_epoch_us
from tests.monitoring.conftest import Watched
from tests.monitoring.test_with_simulator import start_infusing, watch_chair
from tests.monitoring.world import seed_running_infusion
from tests.support.simulator_process import SimulatorProcess

MAX_PAGES = 1_073_741_823  # SQLite's own ceiling: no limit


@dataclass
class Fault:
    """A way for the database to refuse writes, switched on and off by the test."""

    engine: Engine
    path: Path
    mode: str
    full: bool = False
    other: sqlite3.Connection | None = None

    def __post_init__(self) -> None:
        @event.listens_for(self.engine.pool, "checkout")
        def limit(dbapi: Any, _record: object, _proxy: object) -> None:
            cursor = dbapi.cursor()
            try:
                pages = cursor.execute("PRAGMA page_count").fetchone()[0]
                cursor.execute(f"PRAGMA max_page_count = {pages if self.full else MAX_PAGES}")
            finally:
                cursor.close()

    def start(self) -> None:
        if self.mode == "full":
            self.full = True
        else:
            self.other = sqlite3.connect(self.path, isolation_level=None)
            self.other.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        self.full = False
        if self.other is not None:
            self.other.execute("ROLLBACK")
            self.other.close()
            self.other = None


@pytest.fixture(params=["full", "locked"])
def fault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fault]:
    path = tmp_path / "station.sqlite"
    engine = create_engine(f"sqlite:///{path}", busy_timeout_ms=50)
    upgrade_engine(engine)
    made = Fault(engine, path, request.param)
    yield made
    made.end()
    engine.dispose()


def compact(path: Path) -> None:
    """No free pages left in the file: the first write needing a page meets the limit."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("VACUUM")
    finally:
        connection.close()


def test_refused_writes_raise_the_alarm_and_are_stored_exactly_once_afterwards(
        fault: Fault, simulator: Callable[..., SimulatorProcess],
        watch: Callable[..., Watched]) -> None:
    sessions = make_sessionmaker(fault.engine)
    seeded = seed_running_infusion(sessions)
    compact(fault.path)
    sim = simulator(speed=10.0)
    watched = watch_chair(watch, sessions, sim)
    start_infusing(watched.service.pump("C1"), 120.0)
    watched.samples(3)

    fault.start()
    _, raised, _ = watched.transition("storage_unavailable", timeout_s=60)
    assert raised.priority is Priority.HIGH
    # Monitoring and alarms go on: a pump alarm and an outage while nothing is stored.
    sim.control(op="inject", pump=1, fault="air_in_line")
    watched.transition("air_in_line")
    sim.control(op="pull_cable", pump=1, mode="silent")
    watched.transition("link_lost")
    sim.control(op="plug_cable", pump=1)
    watched.transition("link_lost", TransitionKind.CONDITION_ENDED)
    watched.samples(5)
    health = watched.service.health()
    # Locked: nothing is written. Full: a small row may still fit in a page's free
    # space, a telemetry chunk does not.
    assert health.telemetry_pending > 0
    assert health.storage_waiting > 0 or fault.mode == "full"

    fault.end()
    watched.transition("storage_unavailable", TransitionKind.CONDITION_ENDED, timeout_s=30)
    watched.service.stop()
    published = everything_published(watched)

    # Every transition the engine published, stored once, in the engine's order.
    stmt = (sa.select(Alarm.code, AlarmTransition.kind)
            .join(Alarm, AlarmTransition.alarm_id == Alarm.id).order_by(AlarmTransition.id))
    with sessions() as session:
        stored = [(code, kind.value) for code, kind in session.execute(stmt)]
    assert stored == [(t.condition, t.kind.value) for u in published for t in u.transitions]
    # Every sample delivered under the infusion, stored once; one gap row for the outage.
    delivered = [to_epoch_us(u.event.at.utc) for u in published
                 if isinstance(u.event, DriverSample) and u.snapshot.infusion_id is not None]
    series = load_series(sessions, seeded.infusion_id)
    kept = series.times_us[~np.isnan(series.rate_ml_h)].tolist()
    assert len(kept) == len(delivered)  # none lost, none twice (to the millisecond:)
    assert np.abs(np.sort(kept) - np.sort(delivered)).max() < 1000
    assert int(np.isnan(series.rate_ml_h).sum()) == 1
    # The outage's two events, once each.
    events = Records(sessions).select_all(sa.select(InfusionEvent).order_by(InfusionEvent.id))
    assert [e.pump_online for e in events] == [False, True]
    assert watched.service.health().records_rejected == 0


def everything_published(watched: Watched) -> list[ChairUpdate]:
    """Every update the service published, in order (the service has stopped)."""
    while not watched.updates.empty():
        watched.seen.append(watched.updates.get_nowait()[1])
    return watched.seen
