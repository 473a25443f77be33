"""A pulled cable against the simulator: the alarm, the reconnection, the stored gap, and
the changes a nurse made at the pump's own keys while the station could not see it."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, LinkState, SessionTiming
from devices.driver import Sample as DriverSample
from devices.protocol import Prompt
from station.alarms import Priority, TransitionKind
from station.alarms.sink import Cause, CauseCode
from station.monitoring import ChairUpdate, MonitorSettings, lost_link_budget_s
from station.monitoring.offline_changes import PUMP_CHANGED_OFFLINE
from station.persistence import load_series
from station.persistence.events import InfusionEventKind, NotDeliveringReason
from station.persistence.telemetry import to_epoch_us
from tests.monitoring.conftest import FAST, SPEED, Watched
from tests.monitoring.test_with_simulator import watch_chair
from tests.monitoring.world import pump_events, seed_running_infusion, stored_alarms, stored_kinds
from tests.support.simulator_process import SimulatorProcess, wait_until

Sim = Callable[..., SimulatorProcess]
Watch = Callable[..., Watched]


def pull_and_wait_for_alarm(sim: SimulatorProcess, watched: Watched,
                            settings: MonitorSettings = FAST, *, rate_ml_h: float,
                            infusing: bool) -> None:
    """Pull the cable once a sample shows what the station commanded (the reference the
    first sample after the outage is compared with)."""
    def shows_it(update: ChairUpdate) -> bool:
        sample = update.event
        return isinstance(sample, DriverSample) and sample.rate_ml_h == rate_ml_h and (
            (sample.status is Prompt.INFUSING) is infusing)
    watched.next_update(shows_it)
    sim.control(op="pull_cable", pump=1, mode="silent")
    _, raised, update = watched.transition("link_lost", timeout_s=15)
    last = update.snapshot.latest_sample
    assert last is not None
    assert raised.monotonic_s - last.at.monotonic <= lost_link_budget_s(settings) <= 10.0


def keypad(sim: SimulatorProcess, command: str) -> str:
    [reply] = sim.control(op="keypad", pump=1, command=command)["replies"]
    return str(reply)


def infused_ml(sim: SimulatorProcess) -> float:
    return float(sim.control(op="status", pump=1)["pumps"][0]["infused_ml"])


def test_changes_at_the_pump_during_an_outage_are_events_and_a_latched_alarm(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED)
    watched = watch_chair(watch, sessions, sim, FAST)
    pump = watched.service.pump("C1")
    pump.set_rate(100.0).result(timeout=5)
    pump.run().result(timeout=5)
    wait_until(lambda: infused_ml(sim) > 0.5, timeout_s=10)
    pull_and_wait_for_alarm(sim, watched, rate_ml_h=100.0, infusing=True)

    # At the pump's own keys, cable out: a new rate, then a pause and the counter cleared.
    assert keypad(sim, "RAT150MH") == "00I"
    assert keypad(sim, "STP") == "00P"
    assert keypad(sim, "CLDINF") == "00P"
    sim.control(op="plug_cable", pump=1)
    watched.link(LinkState.UP)
    _, raised, update = watched.transition(PUMP_CHANGED_OFFLINE)

    # Raised and ended by the same sample: it happened, and stays until a reset.
    assert [t.kind for t in update.transitions if t.condition == PUMP_CHANGED_OFFLINE] == [
        TransitionKind.RAISED, TransitionKind.CONDITION_ENDED]
    assert raised.priority is Priority.MEDIUM
    for words in ("pump stopped", "rate changed 100 -> 150 mL/h", "volume counter went back"):
        assert words in raised.detail
    [view] = [a for a in update.snapshot.alarms if a.condition == PUMP_CHANGED_OFFLINE]
    assert (view.state, view.latched) == ("latched", True)
    watched.service.reset("C1", PUMP_CHANGED_OFFLINE, str(seeded.user_id),
                          Cause(CauseCode.ROUTINE_EVENT, "nurse paused for a break")
                          ).result(timeout=5)
    watched.service.stop()

    [alarm] = stored_alarms(sessions, PUMP_CHANGED_OFFLINE)
    assert (alarm.infusion_id, alarm.pump_id, alarm.latching) == (
        seeded.infusion_id, seeded.pump_id, True)
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended", "reset"]
    events = pump_events(sessions, seeded.pump_id)
    kinds = [(e.kind, e.pump_online) for e in events]
    offline_at = events[0].occurred_at
    assert kinds[:2] == [(InfusionEventKind.COMMUNICATION_STATUS_CHANGE, False),
                         (InfusionEventKind.COMMUNICATION_STATUS_CHANGE, True)]
    found = {e.kind: e for e in events[2:]}
    assert len(events) == 5 and set(found) == {
        InfusionEventKind.DELIVERY_STOP, InfusionEventKind.COMMUNICATION_STATUS_CHANGE,
        InfusionEventKind.COUNTERS_CLEARED}
    stop = found[InfusionEventKind.DELIVERY_STOP]
    assert stop.not_delivering_reason is NotDeliveringReason.OTHER
    assert stop.infusion_id == seeded.infusion_id
    assert "while the link was down since" in stop.reason_detail
    rate = found[InfusionEventKind.COMMUNICATION_STATUS_CHANGE]
    assert (rate.rate_ml_h, rate.pump_online) == (150.0, True)
    assert found[InfusionEventKind.COUNTERS_CLEARED].total_volume_ml == 0.0
    assert all(e.occurred_at > offline_at for e in events[1:])

    # The stored telemetry has one NaN row inside the outage: drawn as a gap.
    series = load_series(sessions, seeded.infusion_id)
    gaps = np.flatnonzero(np.isnan(series.rate_ml_h))
    assert len(gaps) == 1
    [gap] = gaps
    assert math.isnan(series.volume_ml[gap]) and math.isnan(series.pressure_mmhg[gap])
    assert 0 < gap < len(series) - 1
    assert series.times_us[gap] > to_epoch_us(offline_at)
    assert series.times_us[gap] < to_epoch_us(events[1].occurred_at)
    assert series.volume_ml[gap + 1] == 0.0  # the first sample after: counter cleared


def test_a_stopped_pump_run_at_its_keys_during_the_outage_is_a_volume_jump(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED)
    watched = watch_chair(watch, sessions, sim, FAST)
    watched.service.pump("C1").set_rate(600.0).result(timeout=5)
    pull_and_wait_for_alarm(sim, watched, rate_ml_h=600.0, infusing=False)

    assert keypad(sim, "RUN") == "00I"
    wait_until(lambda: infused_ml(sim) > 0.5, timeout_s=10)
    assert keypad(sim, "STP") == "00P"
    sim.control(op="plug_cable", pump=1)
    _, raised, _ = watched.transition(PUMP_CHANGED_OFFLINE)
    watched.service.stop()

    assert raised.priority is Priority.MEDIUM
    assert "volume jumped 0 ->" in raised.detail
    assert "stopped" not in raised.detail and "started" not in raised.detail
    [jump] = [e for e in pump_events(sessions, seeded.pump_id) if "jumped" in e.reason_detail]
    assert jump.kind is InfusionEventKind.COMMUNICATION_STATUS_CHANGE
    assert jump.total_volume_ml is not None and jump.total_volume_ml >= 0.5  # DIS rounds


def test_the_watchdog_stopping_the_pump_during_the_outage_is_a_stop_by_alarm(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    settings = MonitorSettings(
        driver=DriverConfig(poll_interval_s=0.1, link_timeout_s=1.5, safe_mode_timeout_s=2,
                            timing=SessionTiming(reply_timeout_s=0.3, retries=1),
                            backoff_initial_s=0.05, backoff_max_s=0.5),
        detection_time_scale=SPEED)
    seeded = seed_running_infusion(sessions)
    sim = simulator(speed=SPEED)
    watched = watch_chair(watch, sessions, sim, settings)
    pump = watched.service.pump("C1")
    pump.set_rate(100.0).result(timeout=5)
    pump.run().result(timeout=5)
    pull_and_wait_for_alarm(sim, watched, settings, rate_ml_h=100.0, infusing=True)

    wait_until(lambda: sim.control(op="status", pump=1)["pumps"][0]["status"] == "A?T",
               timeout_s=10)
    sim.control(op="plug_cable", pump=1)
    watched.transition("safe_mode_timeout")
    _, raised, _ = watched.transition(PUMP_CHANGED_OFFLINE)
    watched.service.stop()

    assert raised.priority is Priority.MEDIUM and "pump stopped" in raised.detail
    [stop] = [e for e in pump_events(sessions, seeded.pump_id)
              if e.kind is InfusionEventKind.DELIVERY_STOP]
    assert stop.not_delivering_reason is NotDeliveringReason.ALARM
    assert "(pump alarm A?T)" in stop.reason_detail
