"""A station killed while its database is down loses nothing: `infusion-station monitor`
on pump-sim and a PostgreSQL server of the test's own. The server is stopped; the
station sees a lost link come and go (alarm transitions, link events) and keeps taking
samples; it is SIGKILLed; the server comes back; a restarted station writes its local
spool: every transition the first one printed is stored once, with the time it happened,
the outage's two link events once each, every sample once; the storage alarm the killed
station left open is taken up and ends on its own row, none raised twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from station.monitoring.spool import LocalSpool, default_spool_path
from station.monitoring.spool_records import Spooled
from station.persistence import load_series, make_sessionmaker
from station.persistence.alarms import Alarm, AlarmTransition
from station.persistence.events import InfusionEvent, InfusionEventKind
from tests.monitoring.conftest import migrated
from tests.support.simulator_process import SimulatorProcess, wait_until
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


@pytest.fixture
def engine(server: PrivateServer) -> Iterator[Engine]:
    made = migrated(server.url)
    yield made
    made.dispose()


def link_events(engine: Engine) -> list[tuple[bool | None, datetime]]:
    stmt = (sa.select(InfusionEvent.pump_online, InfusionEvent.occurred_at)
            .where(InfusionEvent.kind == InfusionEventKind.COMMUNICATION_STATUS_CHANGE)
            .order_by(InfusionEvent.occurred_at))
    with engine.connect() as conn:
        return [(online, at.astimezone(UTC)) for online, at in conn.execute(stmt)]


def spooled_samples(url: str) -> int:
    """Samples in the station's spool now (read beside the running station)."""
    spool = LocalSpool(default_spool_path("ws-1", url))
    try:
        return sum(Spooled.of(kind, payload).samples for _, kind, payload in spool.entries())
    finally:
        spool.close()


def microseconds(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)


@pytest.mark.timeout(400)
def test_a_station_killed_while_the_database_is_down_loses_nothing(
        server: PrivateServer, engine: Engine, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the spool's directory
    sessions = make_sessionmaker(engine)
    infusion = seed_station_chairs(sessions, datetime.now(UTC), {"C1": "SN0001"})["C1"]
    sim = SimulatorProcess(pumps=1, speed=1.0)
    sim.start()
    first = StationProcess("ws-1", server.url, {"C1": sim.ports[0].port})
    second: StationProcess | None = None
    try:
        try:  # monitoring, and storing (a loaded machine starts slowly)
            wait_until(lambda: len(load_series(sessions, infusion)) >= 3, timeout_s=120,
                       poll_s=0.5)
        except TimeoutError as exc:
            raise TimeoutError(f"no samples stored: {first.log()[-3000:]}") from exc

        server.stop()
        down_at = datetime.now(UTC)
        first.wait_for(raised("Station", "storage_unavailable"))
        wait_until(lambda: spooled_samples(server.url) >= 5, timeout_s=30, poll_s=0.5)
        sim.control(op="pull_cable", pump=1, mode="silent")
        lost = first.wait_for(raised("C1", "link_lost"))
        sim.control(op="plug_cable", pump=1)
        first.wait_for(raised("C1", "link_lost", "condition_ended"))
        first.process.kill()  # SIGKILL: nothing is closed, nothing flushed
        assert first.stop() == -9
        killed_at = datetime.now(UTC)
        server.start()

        second = StationProcess("ws-1", server.url, {"C1": sim.ports[0].port})
        expected = printed(first)
        wait_until(lambda: stored_transitions(engine) >= expected, timeout_s=60, poll_s=0.5)
    finally:
        if first.process.returncode is None:  # failed before the kill
            first.stop()
        codes = (None if second is None else second.stop(),)
        sim.stop()
    assert codes == (0,), second.stderr[-3000:] if second else ""

    # Every transition the killed station printed (and the restarted one), stored once
    # with the time it happened.
    assert stored_transitions(engine) == printed(first) + printed(second)
    assert down_at < datetime.fromisoformat(lost["at"]) < killed_at
    # The storage alarm raised while the server was down: one row, this station's,
    # ended by the restarted station once the spool was written.
    with engine.connect() as conn:
        storage = conn.execute(sa.select(Alarm.id, Alarm.station).where(
            Alarm.code == "storage_unavailable")).all()
        [(storage_id, owner)] = storage
        kinds = conn.scalars(sa.select(AlarmTransition.kind).where(
            AlarmTransition.alarm_id == storage_id).order_by(AlarmTransition.id)).all()
    assert (owner, [k.value for k in kinds]) == ("ws-1", ["raised", "condition_ended"])
    # The outage's two link events, once each, at their own times.
    outage = [(online, at) for online, at in link_events(engine) if down_at < at < killed_at]
    assert [online for online, _ in outage] == [False, True]
    # Every sample once; the ones taken while the server was down are there, each
    # second (but for the pulled cable, one gap row).
    series = load_series(sessions, infusion)
    times = series.times_us
    assert len(np.unique(times)) == len(times)
    during = (times > microseconds(down_at)) & (times < microseconds(killed_at))
    assert int(np.isnan(series.rate_ml_h[during]).sum()) == 1
    kept = times[during & ~np.isnan(series.rate_ml_h)]
    assert len(kept) >= 5
    gaps = np.diff(kept)
    assert int((gaps > 2.5e6).sum()) <= 1  # the pulled cable, nothing else
    # Nothing is left in the spool of the station for this database.
    assert spooled_samples(server.url) == 0
    spool = LocalSpool(default_spool_path("ws-1", server.url))
    assert spool.entries() == []
    spool.close()
