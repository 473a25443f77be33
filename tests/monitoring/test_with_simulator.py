"""The monitoring service against the simulator as its own process, on a real SQLite file.

Waits are for real I/O (the pump's replies, the service's updates) with time-outs; the
simulator's --speed keeps the pump's physics short.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, LinkState, PumpPoller
from devices.driver import Sample as DriverSample
from station.alarms import Priority, TransitionKind
from station.alarms.sink import Cause, CauseCode
from station.monitoring import (
    LOST_LINK_REQUIRED_S,
    MonitorSettings,
    PumpEndpoint,
    lost_link_budget_s,
)
from station.persistence import load_series, make_sessionmaker
from station.persistence.people import ActorKind
from station.persistence.telemetry import to_epoch_us
from tests.monitoring.conftest import SPEED, Watched, migrated
from tests.monitoring.world import (
    pump_events,
    seed_running_infusion,
    stored_alarms,
    stored_kinds,
)
from tests.support.simulator_process import SimulatorProcess

Sim = Callable[..., SimulatorProcess]
Watch = Callable[..., Watched]


def start_infusing(pump: PumpPoller, rate_ml_h: float) -> None:
    pump.set_rate(rate_ml_h).result(timeout=5)
    pump.run().result(timeout=5)


def watch_chair(watch: Watch, sessions: sessionmaker[Session], sim: SimulatorProcess,
                settings: MonitorSettings | None = None) -> Watched:
    endpoint = PumpEndpoint("C1", sim.ports[0].port)
    watched = watch(sessions, [endpoint]) if settings is None else watch(
        sessions, [endpoint], settings)
    watched.link(LinkState.UP)
    return watched


def check_stall(simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED, extra_args=("--occlusion-limit", "80"))
    watched = watch_chair(watch, sessions, sim)
    start_infusing(watched.service.pump("C1"), 200.0)
    watched.samples(5)

    sim.control(op="inject", pump=1, fault="occlusion", params={"severity": 1.0})
    _, raised, update = watched.transition("pump_stall")

    assert raised.priority is Priority.HIGH
    assert raised.detail == "pump status A?S"
    [alarm] = stored_alarms(sessions, "pump_stall")
    assert (alarm.latching, alarm.pump_id, alarm.chair_id, alarm.infusion_id) == (
        True, seeded.pump_id, seeded.chair_id, seeded.infusion_id)
    assert alarm.actor_kind is ActorKind.PUMP
    # The pump's latch is acknowledged by the next poll; the station's stays.
    watched.transition("pump_stall", TransitionKind.CONDITION_ENDED)
    view = next(a for a in watched.service.snapshot("C1").alarms if a.condition == "pump_stall")
    assert view.state == "latched"
    assert watched.service.snapshot("C1").sound_now is Priority.HIGH
    assert "occlusion" in {a.condition for a in update.snapshot.alarms}

    sim.control(op="clear", pump=1, fault="occlusion")
    watched.service.reset("C1", "pump_stall", str(seeded.user_id),
                          Cause(CauseCode.LINE_CLAMPED, "clamp left shut")).result(timeout=5)
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended", "reset"]
    watched.service.stop()


def test_stall_raises_a_latched_alarm_stored_with_its_pump_and_chair(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    check_stall(simulator, watch, sessions)


@pytest.mark.postgres
def test_stall_is_stored_on_postgresql(simulator: Sim, watch: Watch,
                                       pg_schema_url: str) -> None:
    engine = migrated(pg_schema_url)
    try:
        check_stall(simulator, watch, make_sessionmaker(engine))
    finally:
        engine.dispose()


def test_pulled_cable_is_a_lost_link_alarm_within_budget_and_the_gap_is_recorded(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    # The driver's default timings (poll 1 s, link time-out 5 s): the budget is theirs.
    settings = MonitorSettings(driver=DriverConfig(backoff_max_s=1.0))
    budget_s = lost_link_budget_s(settings)
    assert budget_s <= LOST_LINK_REQUIRED_S
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED)
    watched = watch_chair(watch, sessions, sim, settings)
    watched.samples(2)

    sim.control(op="pull_cable", pump=1, mode="silent")
    _, raised, update = watched.transition("link_lost", timeout_s=15)

    last_sample = update.snapshot.latest_sample
    assert last_sample is not None
    silent_s = raised.monotonic_s - last_sample.at.monotonic
    assert silent_s <= budget_s
    [alarm] = stored_alarms(sessions, "link_lost")
    assert (alarm.pump_id, alarm.infusion_id) == (seeded.pump_id, seeded.infusion_id)
    assert alarm.actor_kind is ActorKind.STATION

    sim.control(op="plug_cable", pump=1)
    watched.transition("link_lost", TransitionKind.CONDITION_ENDED, timeout_s=30)
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended"]
    assert "link_lost" not in {a.condition for a in watched.service.snapshot("C1").alarms}
    watched.service.stop()  # the online event was stored before the alarm ended

    offline, online = pump_events(sessions, seeded.pump_id)
    assert (offline.pump_online, online.pump_online) == (False, True)
    assert offline.occurred_at == last_sample.at.utc
    gap_s = (online.occurred_at - offline.occurred_at).total_seconds()
    assert silent_s < gap_s < 30
    assert online.reason_detail == f"link up again after {gap_s:.1f} s without data"


def test_dislodged_catheter_is_a_site_check_advisory(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions)
    sim = simulator(speed=SPEED)
    watched = watch_chair(watch, sessions, sim)
    start_infusing(watched.service.pump("C1"), 150.0)
    # About 50 s of pump time: the line settles and its level is learnt.
    watched.samples(50)

    sim.control(op="inject", pump=1, fault="dislodgement")
    _, raised, _ = watched.transition("dislodgement", timeout_s=30)

    assert raised.priority is Priority.MEDIUM
    [alarm] = stored_alarms(sessions, "dislodgement")
    assert alarm.category.value == "physiological"
    assert "occlusion" not in {t.condition for u in watched.seen for t in u.transitions}


def test_telemetry_read_back_is_what_the_driver_delivered(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED)
    watched = watch_chair(watch, sessions, sim)
    start_infusing(watched.service.pump("C1"), 120.0)
    watched.samples(20)
    watched.service.stop()  # flushes what is buffered
    delivered = [u.event for u in watched.seen if isinstance(u.event, DriverSample)]
    while not watched.updates.empty():
        late = watched.updates.get_nowait()[1].event
        if isinstance(late, DriverSample):
            delivered.append(late)

    series = load_series(sessions, seeded.infusion_id)

    assert len(series) == len(delivered) >= 20
    expected_us = np.array([to_epoch_us(s.at.utc) for s in delivered])
    # Stored at millisecond resolution from each chunk's first sample.
    assert np.all(np.abs(series.times_us - expected_us) < 1000)
    assert np.array_equal(series.rate_ml_h,
                          np.array([s.rate_ml_h for s in delivered], dtype=np.float32))
    assert np.array_equal(series.volume_ml, np.array([s.volume_ml for s in delivered]))
    assert np.array_equal(series.pressure_mmhg,
                          np.array([s.pressure_mmhg for s in delivered], dtype=np.float32))
    assert series.volume_ml[-1] > 0


def test_stop_ends_every_thread_it_started(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    before = set(threading.enumerate())
    sim = simulator(speed=SPEED, pumps=2)
    endpoints = [PumpEndpoint(f"chair-{p.pump}", p.port) for p in sim.ports]
    watched = watch(sessions, endpoints)
    watched.link(LinkState.UP)
    assert watched.service.health().running

    watched.service.stop()

    assert [t.name for t in threading.enumerate() if t not in before] == []
    assert not watched.service.health().running
    assert {s.link_state for s in watched.service.snapshots().values()} == {LinkState.CLOSED}
    with pytest.raises(RuntimeError):
        watched.service.reset("chair-1", "pump_reset", "nurse.a").result(timeout=1)
