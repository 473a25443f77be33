"""A write by another station reaches this station's schedule watch through the unit's
change source, not a re-read timer: on SQLite (the in-process hub) and on PostgreSQL
(LISTEN/NOTIFY), two service contexts on two engines writing to one database.

Station A monitors chair C1 (joined to the unit with `unit_member`; its safety re-read
set to an hour, so only a notification can bring the change in time); station B (the
overview, another workstation) records a pause and its resume through services of its
own, whose `RecordChanges` station A never hears.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from station.domain.pauses import PauseReason, ResumeRate
from station.monitoring import ChairSnapshot, ChairUpdate, MonitoringService
from station.monitoring.changed import ChangedRecord
from station.persistence import create_engine
from station.persistence.schema import upgrade_engine
from station.unit import change_keys as keys
from station.unit.change_keys import ChangeKey
from station.unit.membership import unit_member
from station.unit.record_follow import changed_record
from tests.services.world import accepted
from tests.unit.followed_chair import HOUR_S, followed_chair

HEARD_WITHIN_S = 20.0  # generous for a loaded machine; the timer would take an hour


@pytest.fixture
def engines(db_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Station A's engine and station B's, on one migrated database."""
    first = create_engine(db_url)
    upgrade_engine(first)
    second = create_engine(db_url)
    yield first, second
    second.dispose()
    first.dispose()


class Updates:
    """The service's updates, as its subscriber gets them (no polling, no sleep)."""

    def __init__(self, service: MonitoringService) -> None:
        self.service = service
        self._queue: queue.SimpleQueue[ChairUpdate] = queue.SimpleQueue()
        service.subscribe(self._queue.put)

    def until(self, holds: Callable[[ChairSnapshot], bool], what: str) -> float:
        """Seconds until C1's snapshot satisfies `holds`."""
        started = time.monotonic()
        while not holds(self.service.snapshot("C1")):
            left = HEARD_WITHIN_S - (time.monotonic() - started)
            try:
                self._queue.get(timeout=max(left, 0.0))
            except queue.Empty:
                raise TimeoutError(f"{what}: not within {HEARD_WITHIN_S} s") from None
        return time.monotonic() - started


def test_a_pause_recorded_at_another_station_reaches_the_schedule_watch(
        engines: tuple[Engine, Engine], db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine_a, engine_b = engines
    followed = followed_chair(engine_a, engine_b, db_url, str(tmp_path / "no-pump"))
    other, infusion_id, service = followed.other, followed.infusion_id, followed.service
    monkeypatch.setenv("INFUSION_STATION_NAME", "station-a")
    updates = Updates(service)
    with unit_member(service, engine_a, heartbeat_s=HOUR_S), service:
        updates.until(lambda s: s.schedule.infusion_id == infusion_id,
                      "the running infusion, read at the start")
        assert service.snapshot("C1").schedule.paused_at is None

        accepted(other.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                        at=other.clock.now))
        updates.until(lambda s: s.schedule.paused_at is not None,
                      "the pause recorded at station B")
        schedule = service.snapshot("C1").schedule
        assert schedule.pause_medium_at is not None
        assert (schedule.pause_medium_at - other.clock.now).total_seconds() == 600

        other.clock.advance(1)  # a minute later the nurse resumes at B
        accepted(other.svc.pauses.resume(infusion_id, ResumeRate.SAME, at=other.clock.now))
        updates.until(lambda s: s.schedule.paused_at is None,
                      "the resume recorded at station B")


@pytest.mark.parametrize(("payload", "changed"), [
    ("c:7", ChangedRecord(chair_row=7)),
    ("i:42", ChangedRecord(infusion_id=42)),
    ("p:3", ChangedRecord(pump_id=3)),
    ("t:42", None),  # telemetry grows every second: never a schedule change
    ("a:9", None),  # an alarm transition
    ("h:ws-2", None), ("l:C1", None), ("r:C1", None),
])
def test_only_chair_infusion_and_pump_rows_can_change_a_schedule(
        payload: str, changed: ChangedRecord | None) -> None:
    key = ChangeKey.parse(payload)
    assert key is not None and key.kind in {keys.CHAIR, keys.INFUSION, keys.PUMP,
                                            keys.TELEMETRY, keys.ALARM, keys.HEARTBEAT,
                                            keys.LEASE, keys.ACK_REQUEST}
    assert changed_record(key) == changed
