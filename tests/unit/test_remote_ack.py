"""Acknowledgement across the unit, against the simulator and the real monitoring service
on a SQLite file: asked for at the overview, done by the station that owns the chair,
and the other way round; the pump's own alarm is never cleared from afar."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState
from station.alarms import Priority, TransitionKind
from station.monitoring import MonitoringService, PumpEndpoint
from station.persistence import Records
from station.persistence.unit import AckRequest
from station.unit.acks import AckRelay, request_acknowledgement
from station.unit.feed import UnitFeed
from station.unit.sqlite_changes import sqlite_changes
from station.unit.station_agent import UnitStationAgent
from station.unit.tiles import TileAlarm
from tests.monitoring.conftest import (  # noqa: F401 - fixtures used here
    SPEED,
    Watched,
    sessions,
    simulator,
    sqlite_file,
    watch,
)
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds
from tests.support.simulator_process import SimulatorProcess
from tests.unit.world import raise_alarm


def utc_now() -> datetime:
    return datetime.now(UTC)


class Refreshes:
    def __init__(self, feed: UnitFeed) -> None:
        self.feed = feed
        self.labels: queue.Queue[frozenset[str]] = queue.Queue()
        feed.subscribe(self.labels.put)

    def alarm(self, condition: str, state: str | None = None,
              timeout_s: float = 20.0) -> TileAlarm:
        """Wait until the overview lists `condition` (in `state`)."""
        while True:
            for alarm in self.feed.alarm_list():
                if alarm.condition == condition and state in (None, alarm.state):
                    return alarm
            self.labels.get(timeout=timeout_s)


def handled(sessions: sessionmaker[Session], refreshes: Refreshes  # noqa: F811
            ) -> AckRequest:
    """The one request, once the station has written its outcome (its notification
    refreshes the overview)."""
    while True:
        [request] = Records(sessions).select_all(sa.select(AckRequest))
        if request.handled_at is not None:
            return request
        refreshes.labels.get(timeout=20.0)


@pytest.fixture
def unit(sessions: sessionmaker[Session]  # noqa: F811
         ) -> Iterator[tuple[UnitFeed, Refreshes]]:
    engine = sessions.kw["bind"]
    feed = UnitFeed(sessions, sqlite_changes(engine), utc_now=utc_now)
    refreshes = Refreshes(feed)
    feed.start()
    yield feed, refreshes
    feed.stop()


def test_an_acknowledgement_at_the_overview_is_done_by_the_station_and_seen_everywhere(
        simulator: Callable[..., SimulatorProcess],  # noqa: F811
        watch: Callable[..., Watched],  # noqa: F811
        sessions: sessionmaker[Session],  # noqa: F811
        unit: tuple[UnitFeed, Refreshes]) -> None:
    _, refreshes = unit
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED, extra_args=("--occlusion-limit", "80"))
    watched = watch(sessions, [PumpEndpoint("C1", sim.ports[0].port)])
    agent = UnitStationAgent(watched.service, ["C1"], sessions,
                             sqlite_changes(sessions.kw["bind"]), station="ws-1",
                             utc_now=utc_now, heartbeat_s=0.5)
    agent.start()
    try:
        watched.link(LinkState.UP)
        pump = watched.service.pump("C1")
        pump.set_rate(200.0).result(timeout=5)
        pump.run().result(timeout=5)
        sim.control(op="inject", pump=1, fault="occlusion", params={"severity": 1.0})
        watched.transition("pump_stall")
        stall = refreshes.alarm("pump_stall")

        request_acknowledgement(sessions, stall, who="charge.nurse", user_id=seeded.user_id,
                                origin="overview@desk", utc_now=utc_now)
        _, acked, _ = watched.transition("pump_stall", TransitionKind.ACKNOWLEDGED)
        assert acked.actor == str(seeded.user_id)
        refreshes.alarm("pump_stall", "acknowledged")
        request = handled(sessions, refreshes)
        assert (request.outcome, request.alarm_id) == ("acknowledged", stall.alarm_id)

        # The pump's own alarm is not cleared: still open at the station, never reset.
        # (The driver's poll has acknowledged the pump's latch; the station's stays.)
        sim.control(op="clear", pump=1, fault="occlusion")
        view = next(a for a in watched.service.snapshot("C1").alarms
                    if a.condition == "pump_stall")
        assert view.state in ("latched", "acknowledged")
        [row] = stored_alarms(sessions, "pump_stall")
        assert "reset" not in stored_kinds(sessions, row.id)
        assert refreshes.alarm("pump_stall").alarm_id == row.id

        # The other way round: acknowledged at the station, seen at the overview.
        watched.service.acknowledge("C1", "occlusion", str(seeded.user_id)).result(timeout=5)
        refreshes.alarm("occlusion", "acknowledged")
    finally:
        agent.stop()
    assert not agent.lost_chairs


def test_a_request_waits_while_the_station_is_not_monitoring(
        sessions: sessionmaker[Session]) -> None:  # noqa: F811
    seeded = seed_running_infusion(sessions)
    alarm_id = raise_alarm(sessions, "occlusion", "high", utc_now(), chair_id=seeded.chair_id)
    service = MonitoringService([PumpEndpoint("C1", "/nonexistent/tty")], sessions)
    request_acknowledgement(
        sessions, TileAlarm(alarm_id, "C1", "occlusion", Priority.HIGH, "active", False,
                            utc_now()),
        who="charge.nurse", user_id=None, origin="overview@desk", utc_now=utc_now)
    assert AckRelay(sessions, service, utc_now=utc_now).handle_pending(["C1"]) == 0
    [request] = Records(sessions).select_all(sa.select(AckRequest))
    assert (request.handled_at, request.outcome) == (None, "")
