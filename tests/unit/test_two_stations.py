"""The issue's test: two station processes on simulated pumps and a headless overview
on a PostgreSQL server of the test's own, stopped and started again mid-run.

An event at one station reaches the overview; what a station saw while the server was
down (its alarm transitions, with their original times, and its telemetry) is all
stored once the server is back: none lost, none twice.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from station.persistence import load_series, make_sessionmaker
from station.unit.feed import FeedSettings, UnitFeed
from station.unit.sources import change_source
from station.unit.tiles import ChairTile, TileState
from tests.monitoring.conftest import migrated
from tests.support.simulator_process import SimulatorProcess
from tests.unit.private_pg import PrivateServer, available
from tests.unit.stations import StationProcess, printed, raised, stored_transitions
from tests.unit.world import seed_station_chairs

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not available(), reason="no PostgreSQL binaries to start")]


@pytest.fixture
def server() -> Iterator[PrivateServer]:
    own = PrivateServer()
    own.start()
    yield own
    own.remove()


class Overview:
    """A headless overview: the feed and a wait for a state of the tiles."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.feed = UnitFeed(make_sessionmaker(engine), change_source(engine, url),
                             utc_now=lambda: datetime.now(UTC),
                             settings=FeedSettings(stale_after_s=15.0))
        self.refreshed: queue.Queue[float] = queue.Queue()
        self.feed.subscribe(lambda _labels: self.refreshed.put(time.monotonic()))

    def wait(self, check: Callable[[dict[str, ChairTile]], bool],
             timeout_s: float = 30.0) -> float:
        """The monotonic time of the first refresh after which `check` holds."""
        deadline = time.monotonic() + timeout_s
        while True:
            tiles = {t.label: t for t in self.feed.tiles()}
            if check(tiles):
                return time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0:
                seen = [(t.label, t.words, conditions(t)) for t in tiles.values()]
                raise TimeoutError(f"overview: {seen}")
            with contextlib.suppress(queue.Empty):  # a stale mark comes without a refresh
                self.refreshed.get(timeout=min(left, 1.0))


def conditions(tile: ChairTile) -> set[str]:
    return {a.condition for a in tile.alarms}


def watched(tiles: dict[str, ChairTile]) -> bool:
    """Both chairs seen, their stations heard, no link or storage trouble."""
    return set(tiles) == {"C1", "C2"} and all(
        t.state is not TileState.STALE and t.facts.infusion_status == "running"
        and not conditions(t) & {"link_lost", "storage_unavailable"} for t in tiles.values())


@pytest.mark.timeout(300)
def test_two_stations_an_overview_and_a_server_restart(server: PrivateServer) -> None:
    engine = migrated(server.url)
    infusions = seed_station_chairs(make_sessionmaker(engine), datetime.now(UTC),
                                    {"C1": "SN0001", "C2": "SN0002"})
    sim = SimulatorProcess(pumps=2, speed=1.0)
    sim.start()
    overview = Overview(engine, server.url)
    one = StationProcess("ws-1", server.url, {"C1": sim.ports[0].port})
    two = StationProcess("ws-2", server.url, {"C2": sim.ports[1].port})
    try:
        overview.feed.start()
        overview.wait(watched)

        # An event at station 1 reaches the overview.
        sim.control(op="pull_cable", pump=1, mode="silent")
        one.wait_for(raised("C1", "link_lost"))
        overview.wait(lambda t: t["C1"].state is TileState.LINK_LOST)
        sim.control(op="plug_cable", pump=1)
        one.wait_for(raised("C1", "link_lost", "condition_ended"))
        overview.wait(watched)

        # The server goes away; station 2 sees its pump's link go and come back.
        server.stop()
        outage_began = datetime.now(UTC)
        overview.wait(lambda t: {x.state for x in t.values()} == {TileState.STALE})
        sim.control(op="pull_cable", pump=2, mode="silent")
        lost = two.wait_for(raised("C2", "link_lost"))
        two.wait_for(raised("Station", "storage_unavailable"))
        one.wait_for(raised("Station", "storage_unavailable"))  # its telemetry waits too
        sim.control(op="plug_cable", pump=2)
        two.wait_for(raised("C2", "link_lost", "condition_ended"))
        server.start()

        # Everything arrives: the stations say the database is back, the overview sees them.
        two.wait_for(raised("Station", "storage_unavailable", "condition_ended"), timeout_s=60)
        one.wait_for(raised("Station", "storage_unavailable", "condition_ended"), timeout_s=60)
        overview.wait(watched, timeout_s=60)
    finally:
        codes = (one.stop(), two.stop())
        overview.feed.stop()
        sim.stop()
    assert codes == (0, 0), (one.stderr[-2000:], two.stderr[-2000:])

    # None lost, none twice: every transition the stations printed is stored once.
    assert stored_transitions(engine) == printed(one, two)
    # The outage's alarm is stored with the time it happened, not the time it was sent.
    assert datetime.fromisoformat(lost["at"]) > outage_began
    # Telemetry of C1, whose pump stayed connected through the outage: every second
    # is there, once.
    sessions = make_sessionmaker(engine)
    times = load_series(sessions, infusions["C1"]).times_us
    assert len(np.unique(times)) == len(times)
    outage = times[times > int(outage_began.timestamp() * 1e6) - 5_000_000]
    assert len(outage) > 5 and float(np.max(np.diff(outage))) < 2.5e6
    engine.dispose()
