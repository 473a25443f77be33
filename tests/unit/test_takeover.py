"""A chair taken over by another station, on both backends: the station that lost it
raises `chair_taken_over` at the chair (stored, on its screen and in the unit list) and
stops recording the chair; the station that took it records the takeover."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState, LinkStateChanged, PumpIdentified, Sample, Stamp
from devices.protocol import ExtendedConditions, Prompt
from station.alarms import ManualClock, TransitionKind
from station.monitoring import (
    ChairMonitor,
    MonitoringService,
    MonitorRecorder,
    MonitorSettings,
    PumpEndpoint,
)
from station.persistence import Records
from station.persistence.events import InfusionEvent
from station.persistence.people import ActorKind
from station.persistence.telemetry import TelemetryChunk
from station.unit.feed import UnitFeed
from station.unit.leases import LeaseBook, leases, takeovers
from station.unit.sources import change_source
from station.unit.station_agent import UnitStationAgent
from station.unit.tiles import TileAlarm
from tests.monitoring.conftest import Watched
from tests.monitoring.test_chair_monitor import INFO
from tests.monitoring.world import Seeded, seed_running_infusion, stored_alarms, stored_kinds
from tests.unit.conftest import NOON, ManualUtc

TAKEN = "chair_taken_over"


def real_utc() -> datetime:
    return datetime.now(UTC)


def stored_samples(sessions: sessionmaker[Session]) -> int:
    counts = Records(sessions).select_all(sa.select(TelemetryChunk.n_samples))
    return sum(int(n) for n in counts)


def listed(feed: UnitFeed, refreshed: queue.Queue[frozenset[str]], condition: str
           ) -> TileAlarm:
    """The unit list's alarm of `condition`, once a refresh shows it."""
    while True:
        for alarm in feed.alarm_list():
            if alarm.condition == condition:
                return alarm
        refreshed.get(timeout=20.0)


@pytest.fixture
def seeded(unit_sessions: sessionmaker[Session]) -> Seeded:
    return seed_running_infusion(unit_sessions)


@pytest.fixture
def service(unit_sessions: sessionmaker[Session], seeded: Seeded) -> Iterator[Watched]:
    # No pump answers on this port: the chair's records are its alarms only.
    running = MonitoringService([PumpEndpoint("C1", "/nonexistent/tty")], unit_sessions)
    watched = Watched(running)
    running.subscribe(watched.receive)
    running.start()
    yield watched
    running.stop()


def test_the_station_that_lost_a_chair_alarms_there_and_the_taker_records_the_takeover(
        unit_engine: Engine, unit_sessions: sessionmaker[Session], db_url: str,
        seeded: Seeded, service: Watched) -> None:
    feed = UnitFeed(unit_sessions, change_source(unit_engine, db_url), utc_now=real_utc)
    refreshed: queue.Queue[frozenset[str]] = queue.Queue()
    feed.subscribe(refreshed.put)
    feed.start()
    # ws-1's clock stands still: to ws-2, 31 s later, it has been silent since it began.
    first = UnitStationAgent(service.service, ["C1"], unit_sessions,
                             change_source(unit_engine, db_url), station="ws-1",
                             utc_now=ManualUtc(), heartbeat_s=3600.0)
    first.start()
    try:
        second = LeaseBook(unit_sessions, "ws-2", utc_now=lambda: NOON + timedelta(seconds=31))
        second.register()
        second.acquire(["C1"])  # the lease notification makes ws-1 look at once

        _, raised, update = service.transition(TAKEN)
        assert raised.detail == "taken over by station 'ws-2'"
        assert first.lost_chairs == {"C1"}
        assert TAKEN in {a.condition for a in update.snapshot.alarms}  # its screen
        [row] = stored_alarms(unit_sessions, TAKEN)
        assert (row.chair_id, row.pump_id, row.infusion_id) == (seeded.chair_id, None, None)
        assert row.priority.value == "high" and row.category.value == "technical"
        assert listed(feed, refreshed, TAKEN).chair_label == "C1"  # the unit list

        [entry] = takeovers(unit_sessions, "C1")
        assert entry.actor_kind is ActorKind.STATION
        assert json.loads(entry.detail) == {"from": "ws-1", "to": "ws-2", "silent_s": 31.0}
        assert leases(unit_sessions)["C1"].station == "ws-2"

        # Acknowledged at the station that lost the chair: stored, as its alarm is.
        service.service.acknowledge("C1", TAKEN, "nurse.b").result(timeout=5)
        assert stored_kinds(unit_sessions, row.id) == ["raised", "acknowledged"]
    finally:
        first.stop()
        feed.stop()
    assert leases(unit_sessions)["C1"].station == "ws-2"  # ws-1's stop gives nothing back


class HandFed:
    """A ChairMonitor fed driver events by hand on a manual clock."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.clock = ManualClock(NOON)
        self.recorder = MonitorRecorder(sessions, utc_now=self.clock.utc_now,
                                        monotonic=self.clock.monotonic)
        self.monitor = ChairMonitor(PumpEndpoint("C1", "/dev/pts/9"), self.recorder,
                                    self.clock, MonitorSettings())

    def stamp(self) -> Stamp:
        return Stamp(self.clock.utc_now(), self.clock.monotonic())

    def sample(self, *, air: bool = False) -> None:
        self.monitor.handle(Sample("C1", self.stamp(), Prompt.INFUSING, 100.0, 1.0, 15.0,
                                   ExtendedConditions(air, 100)))

    def flush(self) -> None:
        self.clock.advance(2.0)
        self.recorder.tick()

    def link(self, old: LinkState, new: LinkState) -> None:
        self.monitor.handle(LinkStateChanged("C1", self.stamp(), old, new, "test"))


def test_a_chair_taken_over_is_still_alarmed_here_but_only_its_takeover_is_stored(
        unit_sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(unit_sessions)
    chair = HandFed(unit_sessions)
    chair.monitor.begin()
    chair.monitor.handle(PumpIdentified("C1", chair.stamp(), INFO))
    chair.link(LinkState.CONNECTING, LinkState.UP)
    chair.sample()
    chair.flush()
    assert stored_samples(unit_sessions) == 1
    assert chair.monitor.snapshot().infusion_id == seeded.infusion_id

    update = chair.monitor.taken_over("taken over by station 'ws-2'")
    assert [(t.condition, t.kind) for t in update.transitions] == [
        (TAKEN, TransitionKind.RAISED)]
    for _ in range(3):
        chair.clock.advance(1.0)
        chair.sample(air=True)
    chair.link(LinkState.UP, LinkState.LOST)
    chair.flush()
    chair.monitor.tick()  # a binding check: the infusion stays the other station's

    # Watched and alarmed here as before...
    assert {a.condition for a in chair.monitor.snapshot().alarms} >= {
        TAKEN, "air_in_line", "link_lost"}
    # ...but nothing of it is recorded any more but the takeover.
    assert stored_samples(unit_sessions) == 1
    assert [a.code for a in stored_alarms(unit_sessions)] == [TAKEN]
    assert Records(unit_sessions).select_all(sa.select(InfusionEvent)) == []
    assert chair.monitor.snapshot().infusion_id is None


def test_a_takeover_alarm_of_an_earlier_run_ends_when_the_station_holds_the_chair_again(
        unit_sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(unit_sessions)
    before = HandFed(unit_sessions)
    before.monitor.begin()
    before.monitor.taken_over("taken over by station 'ws-2'")
    [row] = stored_alarms(unit_sessions, TAKEN)

    again = HandFed(unit_sessions)  # restarted, with the chair's lease
    again.monitor.begin()
    assert TAKEN not in {a.condition for a in again.monitor.snapshot().alarms}
    assert stored_kinds(unit_sessions, row.id)[-1] == "condition_ended"
